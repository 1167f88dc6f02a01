package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.YamlReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lockstep validate}, in-process, on more than a thousand malformed runbooks made
 * deterministically (fixed seed): mutations of every shipped runbook and test fixture,
 * YAML bombs, wrong encodings and numbers past every range. Each must end with exit 0
 * or 5 and every problem at a {@code file:line:col}; never a stack trace, never exit 70,
 * within {@link #DEADLINE_SECONDS} and {@link #MAX_ALLOCATED_BYTES} of allocation each.
 * The bombs and encodings are also given as {@code --params-file}.
 */
class LoaderFuzzTest {
    private static final long SEED = 20_260_108L;
    private static final int MUTANTS_PER_FILE = 24;
    /** Generous: a case takes milliseconds; only a hang (the billion laughs took 437 s) passes this. */
    private static final int DEADLINE_SECONDS = 10;
    /**
     * The billion laughs allocated 6 GB before running out of memory. Allocated, not kept:
     * SnakeYAML allocates about 1.3 KB per value it reads, so 100,000 values make ~150 MB of garbage.
     */
    private static final long MAX_ALLOCATED_BYTES = 512L << 20;
    private static final Pattern MORE = Pattern.compile("\\.\\.\\. and \\d+ more not shown \\(.*\\)");
    private static final Pattern SUMMARY = Pattern.compile("lockstep: \\d+ problems? found \\(INVALID_RUNBOOK\\)");
    private static final List<String> TRACES = List.of("Exception", "Error:", "lockstep: internal error", "at dev.lockstep",
            "\tat ", "java.lang.", "org.yaml.snakeyaml");

    /** What a case is: where it came from, what to feed the CLI, and whether it is a runbook or a parameters file. */
    record Case(String kind, String origin, byte[] content, boolean paramsFile) {}

    record Outcome(int exit, String out, String err, long millis, long allocated) {}

    @TempDir
    Path tmp;

    @Test
    void everyMalformedRunbookEndsAsPositionedProblemsInBoundedTimeAndMemory() throws Exception {
        List<Case> cases = corpus();
        assertTrue(cases.size() >= 1000, "corpus of " + cases.size());
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        ExecutorService worker = Executors.newSingleThreadExecutor(LoaderFuzzTest::daemon);
        Map<String, Map<Integer, Integer>> exits = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Outcome slowest = null;
        Outcome mostAllocated = null;
        String slowestLabel = "";
        String mostAllocatedLabel = "";
        long started = System.nanoTime();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Path file = tmp.resolve(String.format("case-%04d.yaml", i));
            Files.write(file, c.content());
            String label = "case " + i + " (" + c.kind() + " of " + c.origin() + ")";
            Future<Outcome> run = worker.submit(() -> validate(cli, file, c.paramsFile()));
            Outcome o;
            try {
                o = run.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                run.cancel(true);
                worker.shutdownNow();
                worker = Executors.newSingleThreadExecutor(LoaderFuzzTest::daemon);
                failures.add(label + ": no answer within " + DEADLINE_SECONDS + " s");
                continue;
            } catch (ExecutionException e) {
                failures.add(label + ": threw " + e.getCause());
                continue;
            }
            exits.computeIfAbsent(c.kind(), k -> new TreeMap<>()).merge(o.exit(), 1, Integer::sum);
            if (slowest == null || o.millis() > slowest.millis()) {
                slowest = o;
                slowestLabel = label;
            }
            if (mostAllocated == null || o.allocated() > mostAllocated.allocated()) {
                mostAllocated = o;
                mostAllocatedLabel = label;
            }
            String problem = judge(o, file.toString(), c.paramsFile());
            if (problem != null) failures.add(label + ": " + problem + "\n" + o.out() + o.err());
            Files.delete(file);
        }
        worker.shutdownNow();

        Map<Integer, Integer> total = new TreeMap<>();
        exits.values().forEach(m -> m.forEach((code, n) -> total.merge(code, n, Integer::sum)));
        System.out.printf("LoaderFuzzTest: %d cases in %.1f s; by exit code %s; by kind %s; slowest %d ms (%s); "
                        + "most allocated %d MB (%s)%n", cases.size(), (System.nanoTime() - started) / 1e9, total, exits,
                slowest.millis(), slowestLabel, mostAllocated.allocated() >> 20, mostAllocatedLabel);
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed; the first ones:\n"
                + String.join("\n---\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    private static Outcome validate(LockstepCli cli, Path file, boolean paramsFile) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        LockstepCli.Result r = paramsFile
                ? cli.run("validate", "runbooks/demo.yaml", "--params-file", file.toString())
                : cli.run("validate", file.toString());
        return new Outcome(r.exit(), r.out(), r.err(), (System.nanoTime() - t0) / 1_000_000,
                threads.getCurrentThreadAllocatedBytes() - allocatedBefore);
    }

    /** Null when the outcome is acceptable, else what is wrong with it. */
    private static String judge(Outcome o, String file, boolean paramsFile) {
        String all = o.out() + o.err();
        for (String trace : TRACES) {
            if (all.contains(trace)) return "printed '" + trace.strip() + "'";
        }
        if (o.allocated() > MAX_ALLOCATED_BYTES) return "allocated " + (o.allocated() >> 20) + " MB";
        switch (o.exit()) {
            case 0:
                return o.out().startsWith("ok ") ? null : "exit 0 without ok";
            case 2:
                // A parameters file may name a parameter the runbook does not declare: a usage error.
                return paramsFile && o.err().startsWith("lockstep: unknown parameter") ? null : "exit 2";
            case 5:
                String[] lines = o.err().split("\n");
                if (!SUMMARY.matcher(lines[lines.length - 1]).matches()) return "no problem count at the end";
                Pattern positioned = Pattern.compile(Pattern.quote(file) + ":\\d+:\\d+: \\S.*");
                int listed = lines.length - 1;
                if (listed > 0 && MORE.matcher(lines[listed - 1]).matches()) listed--;
                if (listed > 100) return listed + " problems listed: the terminal shows 100 and counts the rest";
                for (int i = 0; i < listed; i++) {
                    if (!positioned.matcher(lines[i]).matches()) return "a problem without file:line:col: " + lines[i];
                }
                return null;
            default:
                return "exit " + o.exit();
        }
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "loader-fuzz");
        t.setDaemon(true);
        return t;
    }

    // ---- the corpus ----

    private static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(SEED);
        for (Path source : sources()) {
            byte[] original = Files.readAllBytes(source);
            for (int i = 0; i < MUTANTS_PER_FILE; i++) {
                cases.add(new Case("mutant", source.toString(), mutate(original, random), false));
            }
        }
        List<Case> special = new ArrayList<>();
        bombs(special);
        encodings(special);
        overflows(special);
        cases.addAll(special);
        for (Case c : special) {
            if (!c.kind().equals("overflow")) cases.add(new Case(c.kind(), c.origin(), c.content(), true));
        }
        return cases;
    }

    private static List<Path> sources() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : List.of(Path.of("runbooks"), Path.of("src/test/resources/runbooks"))) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** Text as bytes: the mutations work on ISO-8859-1 strings, one char per byte, so any byte survives. */
    private static String bytes(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String utf8(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final List<String> SYNTAX = List.of("[", "]", "{", "}", ":", ": ", "- ", "? ", ",", "&a ", "*a",
            "*nowhere", "!!str ", "!!binary ", "!!python/object:os.system ", "!foo ", "|", ">-", "\"", "'", "#", "\n---\n",
            "\n...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "<<: *a\n", "${{", "}}", "${{ params.", "\t", "\\", "\r",
            "&a [*a]", "&b {k: *b}", "@", "`", "%", "\u00a0", "\u2028", "\ufeff");

    private static final List<String> SPECIAL_VALUES = List.of("99999999999", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "4294967297", "2147483648", "-2147483649",
            "99999999999999999999999999999999", "1".repeat(5000), "1e309", "-1e309", "1e99999999999", "1.10", ".inf", "-.inf",
            ".nan", "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFF", "0o7777777777777777777777777", "-0", "+1", "0", "-1",
            "0100", "0755", "9999999999999999h", "99999999999999999999ms", "1h99999999999m", "8761h", "0s", "~", "null",
            "", "yes", "no", "on", "off", "y", "2001-12-14", "2001-12-14T21:59:43.10-05:00", "{}", "[]", "{a: 1}",
            "[[[[[[", "{{{{", "*nope", "&x", "&x [*x]", "!!binary aGVsbG8=", "!!timestamp 2001-12-14", "!!set {a, b}",
            "!!omap [a: 1]", "!!int x", "\"${{ params.nope }}\"", "\"${{ steps.x.outputs.y }}\"", "\"${{ result.a }}\"",
            "\"${{ env.HOME }}\"", "${{", "'", "\"", "|", ">", "- a", "? a", "x".repeat(20000), "\"\\0\"", "\"\\e[2J\"",
            "\"line\\nbreak\"", "\"\\x85\"", "\"\\u2028\"", "'(unclosed'", "'[z-a]'", "\"" + "(".repeat(6000) + "\"",
            "\"\\uD800\"", "!!float 1", "-", ":", "\"a\": b");

    private static byte[] mutate(byte[] source, Random r) {
        String s = bytes(source);
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            s = switch (r.nextInt(8)) {
                case 0 -> flipByte(s, r);
                case 1 -> s.substring(0, s.isEmpty() ? 0 : r.nextInt(s.length()));
                case 2 -> lines(s, r, (lines, at) -> lines.add(at, lines.get(at)));
                case 3 -> lines(s, r, (lines, at) -> lines.remove(at));
                case 4 -> lines(s, r, (lines, at) -> lines.set(at, reindent(lines.get(at), r)));
                case 5 -> insert(s, r, utf8(SYNTAX.get(r.nextInt(SYNTAX.size()))));
                case 6 -> swapScalar(s, r);
                default -> insert(s, r, strangeBytes(r));
            };
        }
        return bytes(s);
    }

    private static String flipByte(String s, Random r) {
        if (s.isEmpty()) return s;
        int at = r.nextInt(s.length());
        return s.substring(0, at) + (char) r.nextInt(256) + s.substring(at + 1);
    }

    private interface LineEdit {
        void apply(List<String> lines, int at);
    }

    private static String lines(String s, Random r, LineEdit edit) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        edit.apply(lines, r.nextInt(lines.size()));
        return String.join("\n", lines);
    }

    private static String reindent(String line, Random r) {
        String body = line.stripLeading();
        int indent = line.length() - body.length();
        return switch (r.nextInt(4)) {
            case 0 -> " ".repeat(indent + 1 + r.nextInt(4)) + body;
            case 1 -> " ".repeat(Math.max(0, indent - 1 - r.nextInt(4))) + body;
            case 2 -> "\t" + line;
            default -> body;
        };
    }

    private static String insert(String s, Random r, String what) {
        int at = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
        return s.substring(0, at) + what + s.substring(at);
    }

    /** NUL, control characters, invalid or truncated UTF-8, a UTF-16 code unit. */
    private static String strangeBytes(Random r) {
        List<byte[]> choices = List.of(new byte[] {0}, new byte[] {7}, new byte[] {0x1b, '[', '2', 'J'},
                new byte[] {0x7f}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xc2, (byte) 0x85},
                new byte[] {(byte) 0xc2, (byte) 0x9b}, new byte[] {'a', 0});
        return bytes(choices.get(r.nextInt(choices.size())));
    }

    private static final Pattern KEY_VALUE = Pattern.compile("(?m)^(\\s*(?:- )?[A-Za-z_][\\w.-]*: )(\\S.*)$");

    private static String swapScalar(String s, Random r) {
        var m = KEY_VALUE.matcher(s);
        List<int[]> spots = new ArrayList<>();
        while (m.find()) spots.add(new int[] {m.start(2), m.end(2)});
        if (spots.isEmpty()) return s;
        int[] spot = spots.get(r.nextInt(spots.size()));
        return s.substring(0, spot[0]) + utf8(SPECIAL_VALUES.get(r.nextInt(SPECIAL_VALUES.size()))) + s.substring(spot[1]);
    }

    private static final String HEAD = "lockstep: 1\nname: fuzz\n";
    private static final String STEP = "steps:\n  - id: a\n    run: \"true\"\n";

    private static void bombs(List<Case> out) {
        for (int width : new int[] {2, 3, 9}) {
            StringBuilder b = new StringBuilder(HEAD + "a0: &a0 [lol, lol]\n");
            for (int i = 1; i <= 40; i++) {
                b.append("a").append(i).append(": &a").append(i).append(" [")
                        .append(String.join(", ", java.util.Collections.nCopies(width, "*a" + (i - 1)))).append("]\n");
            }
            out.add(text("bomb", "billion laughs, width " + width, b + STEP));
            out.add(text("bomb", "billion laughs in a mapping, width " + width,
                    b.toString().replace("[", "{").replace("]", "}").replaceAll("\\*a(\\d+)", "k$1_" + width + ": *a$1") + STEP));
        }
        StringBuilder keys = new StringBuilder(HEAD + "a0: &a0 {x: 1, y: 2}\n");
        for (int i = 1; i <= 30; i++) keys.append("a").append(i).append(": &a").append(i)
                .append(" {p: *a").append(i - 1).append(", q: *a").append(i - 1).append("}\n");
        out.add(text("bomb", "laughs through mappings", keys + STEP));
        out.add(text("bomb", "recursive alias in a list", HEAD + "loop: &l [*l]\n" + STEP));
        out.add(text("bomb", "recursive alias in a mapping", HEAD + "loop: &m {a: *m}\n" + STEP));
        out.add(text("bomb", "recursive alias as a key", HEAD + "loop: &k {*k : 1}\n" + STEP));
        out.add(text("bomb", "recursive alias deep inside", HEAD + "loop: &l [[[[{a: [*l]}]]]]\n" + STEP));
        out.add(text("bomb", "undefined alias", HEAD + "steps: *steps\n"));
        out.add(text("bomb", "alias as a mapping key", HEAD + "k: &k [1]\nm: {*k : 1}\n" + STEP));
        for (int depth : new int[] {49, 51, 60, 1_000, 100_000, 500_000}) {
            out.add(text("bomb", "flow nesting " + depth, HEAD + STEP + "    with: { env: " + "[".repeat(depth)
                    + "]".repeat(depth) + " }\n"));
            if (depth <= 1_000) {
                StringBuilder block = new StringBuilder(HEAD + STEP + "    with:\n");
                for (int i = 0; i < depth; i++) block.append("  ".repeat(i + 3)).append("k").append(i).append(":\n");
                out.add(text("bomb", "block nesting " + depth, block.toString()));
            }
        }
        out.add(text("bomb", "unclosed flow nesting", HEAD + "x: " + "{a: [".repeat(200_000)));
        out.add(text("bomb", "many values", HEAD + STEP + "    with: { env: [" + "1,".repeat(150_000) + "1] }\n"));
        out.add(text("bomb", "many keys", HEAD + STEP + "    with:\n" + "      k: 1\n".repeat(50_000)));
        out.add(new Case("bomb", "1 MiB + 1 of comments", bytes(HEAD + STEP + "#".repeat(YamlReader.MAX_BYTES)), false));
        out.add(new Case("bomb", "1 MiB of NUL", new byte[YamlReader.MAX_BYTES], false));
        out.add(text("bomb", "one huge scalar", HEAD + STEP + "    title: " + "x".repeat(900_000) + "\n"));
        out.add(text("bomb", "one huge number", HEAD + STEP + "    retry: " + "9".repeat(900_000) + "\n"));
        out.add(text("bomb", "many anchors", HEAD + STEP + "    with: { env: [" + "&a 1, *a, ".repeat(20_000) + "] }\n"));
        out.add(text("bomb", "many documents", (HEAD + STEP + "---\n").repeat(2_000)));
        out.add(text("bomb", "long line of colons", HEAD + ": ".repeat(400_000)));
        out.add(text("bomb", "long plain key", HEAD + "k".repeat(500_000) + ": 1\n" + STEP));
        out.add(text("bomb", "long comment line", HEAD + STEP + "# " + "x".repeat(900_000) + "\n"));
        out.add(text("bomb", "long quoted scalar over many lines", HEAD + STEP + "    title: \""
                + ("x".repeat(1_000) + "\n      ").repeat(900) + "\"\n"));
        out.add(text("bomb", "long block scalar", HEAD + STEP + "    description: |\n"
                + ("      " + "x".repeat(1_000) + "\n").repeat(900)));
        // Few values, much text: an alias counts as every character it repeats, so these stop at the text limit.
        String large = "|\n" + ("      " + "y".repeat(998) + "\n").repeat(880);
        StringBuilder scripts = new StringBuilder(HEAD + "steps:\n  - id: s0\n    run: &big " + large);
        for (int i = 1; i < 2_000; i++) scripts.append("  - id: s").append(i).append("\n    run: *big\n");
        out.add(text("bomb", "one large script repeated by 2,000 steps", scripts.toString()));
        StringBuilder env = new StringBuilder(HEAD + STEP + "    with:\n      env:\n        E0: &big " + large.replace("\n      ", "\n          "));
        for (int i = 1; i < 3_000; i++) env.append("        E").append(i).append(": *big\n");
        out.add(text("bomb", "3,000 environment values repeating one large value", env.toString()));
        StringBuilder doubling = new StringBuilder(HEAD + "a0: &a0 |\n" + ("  " + "x".repeat(999) + "\n").repeat(100));
        for (int i = 1; i <= 30; i++) doubling.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1)
                .append(", *a").append(i - 1).append("]\n");
        out.add(text("bomb", "text doubling through nested aliases", doubling + STEP));
        String lines = ("    " + "x".repeat(999) + "\n").repeat(300);
        out.add(text("bomb", "a mapping of large values repeated in a list", HEAD + "m: &m\n  a: |\n" + lines + "  b: |\n" + lines
                + "k: [" + "*m, ".repeat(20) + "]\n" + STEP));
        out.add(text("bomb", "line of wide characters", HEAD + STEP + "    title: " + "\ud83d\ude00".repeat(20_000) + "\n"));
    }

    private static void encodings(List<Case> out) {
        String runbook = HEAD + STEP;
        for (var cs : List.of(StandardCharsets.UTF_16, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                java.nio.charset.Charset.forName("UTF-32"), java.nio.charset.Charset.forName("UTF-32LE"))) {
            out.add(new Case("encoding", cs.name(), runbook.getBytes(cs), false));
        }
        byte[] le = runbook.getBytes(StandardCharsets.UTF_16LE);
        byte[] bom = new byte[le.length + 2];
        bom[0] = (byte) 0xff;
        bom[1] = (byte) 0xfe;
        System.arraycopy(le, 0, bom, 2, le.length);
        out.add(new Case("encoding", "UTF-16LE with a BOM", bom, false));
        out.add(new Case("encoding", "UTF-8 with a BOM", bytes("\u00ef\u00bb\u00bf" + runbook), false));
        out.add(text("encoding", "a BOM in the middle", HEAD + "\ufeff" + STEP));
        out.add(new Case("encoding", "Latin-1", bytes(HEAD + "title: caf\u00e9\n" + STEP), false));
        for (int c = 0; c < 0x20; c++) {
            if (c == '\t' || c == '\n' || c == '\r') continue;
            out.add(new Case("encoding", String.format("control character U+%04X", c),
                    bytes(HEAD + "title: a" + (char) c + "b\n" + STEP), false));
        }
        out.add(new Case("encoding", "DEL", bytes(HEAD + "title: a\u007fb\n" + STEP), false));
        for (int c : new int[] {0x80, 0x85, 0x9b, 0x9f, 0xd7ff, 0xfffe, 0xffff, 0x10ffff}) {
            out.add(text("encoding", String.format("code point U+%04X", c),
                    HEAD + "title: a" + new String(Character.toChars(c)) + "b\n" + STEP));
        }
        String[] invalid = {"\u0080", "\u00c0\u00af", "\u00e0\u0080\u00af", "\u00ed\u00a0\u0080", "\u00f4\u0090\u0080\u0080",
                "\u00f5\u0080\u0080\u0080", "\u00fe", "\u00ff", "\u00e2\u0082", "\u00c3"};
        for (String seq : invalid) {
            out.add(new Case("encoding", "invalid UTF-8 " + seq.chars().mapToObj(Integer::toHexString).toList(),
                    bytes(HEAD + "title: a" + seq + "b\n" + STEP), false));
            out.add(new Case("encoding", "truncated at invalid UTF-8", bytes(HEAD + STEP + "# " + seq), false));
        }
        out.add(new Case("encoding", "lone CR line ends", bytes((HEAD + STEP).replace("\n", "\r")), false));
        out.add(new Case("encoding", "CRLF with a NUL", bytes((HEAD + STEP).replace("\n", "\r\n") + "\u0000"), false));
        out.add(new Case("encoding", "empty", new byte[0], false));
    }

    private static void overflows(List<Case> out) {
        String copy = "steps:\n  - id: a\n    uses: db.copy\n    with:\n      source: { url: \"jdbc:sqlite:x\" }\n"
                + "      target: { url: \"jdbc:postgresql://h/d\" }\n";
        for (String n : List.of("99999999999", "2147483648", "-2147483649", "9223372036854775808",
                "99999999999999999999999999", "1e10", "0x100000000", "0o40000000000", ".inf", ".nan", "1.5")) {
            out.add(text("overflow", "parallel: " + n, HEAD + copy + "      parallel: " + n + "\n"));
            out.add(text("overflow", "retry: " + n, HEAD + STEP + "    retry: " + n + "\n"));
            out.add(text("overflow", "retry.attempts: " + n, HEAD + STEP + "    retry: { attempts: " + n + " }\n"));
            out.add(text("overflow", "lockstep: " + n, "lockstep: " + n + "\nname: fuzz\n" + STEP));
        }
        for (String d : List.of("9999999999999999h", "9223372036854775807ms", "99999999999999999999999s",
                "1h9999999999999999m", "8761h", "106751991167301d", "2562047788015216h", "153722867280912931m")) {
            out.add(text("overflow", "timeout: " + d, HEAD + STEP + "    timeout: " + d + "\n"));
            out.add(text("overflow", "retry.delay: " + d, HEAD + STEP + "    retry: { attempts: 2, delay: " + d + " }\n"));
            out.add(text("overflow", "wait interval: " + d, HEAD + "steps:\n  - id: w\n    uses: wait\n"
                    + "    with: { until: { run: \"true\" }, interval: " + d + ", timeout: " + d + " }\n"));
        }
        out.add(text("overflow", "tables: {a: 1}", HEAD + copy + "      tables: {a: 1}\n"));
        out.add(text("overflow", "tables: [[1]]", HEAD + copy + "      tables: [[1], {b: 2}]\n"));
        out.add(text("overflow", "exclude: [~]", HEAD + copy + "      exclude: [~, a]\n"));
    }

    private static Case text(String kind, String origin, String yaml) {
        return new Case(kind, origin, yaml.getBytes(StandardCharsets.UTF_8), false);
    }
}
