import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.lockstep.cli.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cost per step as a runbook grows: runs of 50, 500, 2,000 and 4,000 trivial shell steps, each echoing
 * the previous step's output and declaring one of its own (so every step has earlier outputs and start
 * times in its scope), against bash running the same number of shells one after the other, in the same run.
 *
 * Each run is `lockstep run --no-tui --yes` in this JVM (after a warm-up run), so that the figures are
 * per step and not start-up: wall time, CPU of the whole process, and CPU and allocation of the thread
 * that drives the run (the engine's own work: scope, journal records, the printed lines; the shells,
 * their pumps and the fsyncs are on other threads or in the kernel). Then the whole command at 500
 * steps, JVM start-up included, in a process of its own, against bash.
 * Goal (issue 22): the per-step figures at 4,000 within 10% of those at 50; 500 steps at most 3x bash.
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/ScaleBench.java [steps...]
 */
public class ScaleBench {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {50, 500, 2000, 4000};
        Path tmp = Files.createTempDirectory("scale-bench");
        try {
            inProcess(tmp, 50);
            System.out.printf("%-7s %11s %11s %11s %11s %13s %9s%n", "steps", "wall ms", "bash ms", "x bash", "CPU ms",
                    "driver CPU", "driver KB");
            System.out.printf("%-7s %11s %11s %11s %11s %13s %9s%n", "", "/step", "/step", "", "/step", "ms/step", "/step");
            for (int n : sizes) {
                double bash = bash(n) / n;
                Figures f = inProcess(tmp, n);
                System.out.printf("%-7d %11.2f %11.2f %11.2f %11.2f %13.3f %9.0f%n", n, f.wallMs / n, bash, f.wallMs / n / bash,
                        f.cpuMs / n, f.driverCpuMs / n, f.driverKb / n);
            }
            System.out.println();
            int whole = 500;
            Path book = runbook(tmp, whole);
            List<Double> lockstep = new ArrayList<>();
            List<Double> bash = new ArrayList<>();
            // Interleaved, so that whatever else the machine does falls on both sides alike.
            for (int i = 0; i < 3; i++) {
                bash.add(bash(whole));
                lockstep.add(command(book, tmp.resolve("state-command-" + i)));
            }
            double l = median(lockstep);
            double b = median(bash);
            System.out.printf("whole command, %d steps (median of 3): lockstep run %.0f ms, bash %.0f ms, %.2fx bash%n",
                    whole, l, b, l / b);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private record Figures(double wallMs, double cpuMs, double driverCpuMs, double driverKb) {}

    private static Figures inProcess(Path tmp, int steps) throws IOException {
        Path book = runbook(tmp, steps);
        Path state = tmp.resolve("state-" + steps + "-" + System.nanoTime());
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        long cpu0 = OS.getProcessCpuTime();
        long driverCpu0 = THREADS.getCurrentThreadCpuTime();
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LOCKSTEP_STATE_DIR", state.toString());
        int code = Main.run(env, System.in, nowhere, nowhere, "run", book.toString(), "--no-tui", "--yes");
        long wall = System.nanoTime() - t0;
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - bytes0;
        long driverCpu = THREADS.getCurrentThreadCpuTime() - driverCpu0;
        long cpu = OS.getProcessCpuTime() - cpu0;
        if (code != 0) throw new IllegalStateException("lockstep run of " + steps + " steps exited " + code);
        return new Figures(wall / 1e6, cpu / 1e6, driverCpu / 1e6, bytes / 1024.0);
    }

    /** The whole `lockstep run` in a process of its own, JVM start-up included; milliseconds. */
    private static double command(Path book, Path state) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", "target/lockstep.jar", "run", book.toString(), "--no-tui", "--yes")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("LOCKSTEP_STATE_DIR", state.toString());
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        if (code != 0) throw new IllegalStateException("lockstep run exited " + code);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** bash running {@code steps} shells one after the other, each as lockstep starts a step's; milliseconds. */
    private static double bash(int steps) throws Exception {
        String script = "for i in $(seq " + steps + "); do bash --noprofile --norc -eo pipefail -c 'echo relay'; done";
        ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        if (code != 0) throw new IllegalStateException("bash exited " + code);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Steps s1..sN: each echoes the previous one's output and declares its own. */
    private static Path runbook(Path dir, int steps) throws IOException {
        StringBuilder b = new StringBuilder("lockstep: 1\nname: scale-" + steps + "\nparams: { stack: { default: relay } }\nsteps:\n");
        for (int i = 1; i <= steps; i++) {
            b.append("  - id: s").append(i).append('\n');
            b.append("    run: echo \"${{ ").append(i == 1 ? "params.stack" : "steps.s" + (i - 1) + ".outputs.value").append(" }}\"\n");
            b.append("    outputs: { value: \"${{ result.stdout }}\" }\n");
        }
        Path book = dir.resolve("scale-" + steps + ".yaml");
        Files.writeString(book, b);
        return book;
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
