import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Cost of one journaled step transition: Journal.append (encode, CRC, write, fsync)
 * against the floor of writing the same bytes and forcing them with a bare FileChannel,
 * in the same run, on the same disk.
 *
 * Run: java -cp target/lockstep.jar bench/JournalBench.java [appends]
 */
public class JournalBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("journal-bench");
        EventData data = new EventData.Succeeded("exit 0", Map.of("rds_endpoint", "db.example.internal"), 1234, List.of());
        long[] journal = new long[n];
        long[] floor = new long[n];
        // The floor writes the bytes of one record as the journal writes it (from a journal of its own, untimed).
        byte[] line = sampleRecord(dir, data);
        // Interleaved, each side first every other time, so that whatever else the disk does falls on both alike.
        try (Journal j = Journal.create(dir.resolve("journal.jsonl"), dir.resolve("driver"), "bench");
             FileChannel ch = FileChannel.open(dir.resolve("floor"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.APPEND)) {
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    journal[i] = append(j, data);
                    floor[i] = write(ch, line);
                } else {
                    floor[i] = write(ch, line);
                    journal[i] = append(j, data);
                }
            }
        }
        System.out.printf("%-34s %10s %10s%n", n + " appends of " + line.length + " bytes", "median us", "p95 us");
        print("write+fsync, bare FileChannel", floor);
        print("Journal.append (JSON, CRC, fsync)", journal);
        System.out.printf("ratio of medians: %.2f%n", median(journal) / median(floor));
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    private static long append(Journal j, EventData data) {
        long t0 = System.nanoTime();
        j.append(EventType.STEP_SUCCEEDED, "step", data);
        return System.nanoTime() - t0;
    }

    private static long write(FileChannel ch, byte[] line) throws Exception {
        long t0 = System.nanoTime();
        ch.write(ByteBuffer.wrap(line));
        ch.force(false);
        return System.nanoTime() - t0;
    }

    /** One record as the journal writes it, with its newline. */
    private static byte[] sampleRecord(Path dir, EventData data) throws Exception {
        Path sample = dir.resolve("sample");
        Files.createDirectories(sample);
        try (Journal j = Journal.create(sample.resolve("journal.jsonl"), sample.resolve("driver"), "bench")) {
            j.append(EventType.STEP_SUCCEEDED, "step", data);
        }
        byte[] line = Files.readAllLines(sample.resolve("journal.jsonl")).get(0).concat("\n").getBytes(StandardCharsets.UTF_8);
        try (var s = Files.list(sample)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(sample);
        return line;
    }

    private static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1000.0;
    }

    private static void print(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%-34s %10.1f %10.1f%n", what, s[s.length / 2] / 1000.0, s[(int) (s.length * 0.95)] / 1000.0);
    }
}
