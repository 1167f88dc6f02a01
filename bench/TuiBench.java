import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.Runs;
import dev.lockstep.journal.StateDir;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.spi.Settings;
import dev.lockstep.tui.TuiApp;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Key-press-to-redraw latency of the terminal UI, idle (the baseline) and while a step
 * writes 5,000 lines a second into the log pane for 30 seconds; the UI's CPU use; and
 * the heap, which must stay bounded (the log pane keeps 10,000 lines per step).
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/TuiBench.java [seconds]
 */
public class TuiBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("tui-bench");
        Path runbook = dir.resolve("flood.yaml");
        Files.writeString(runbook, """
                lockstep: 1
                name: flood
                steps:
                  - id: flood
                    run: |
                      for s in $(seq 1 %d); do
                        seq 1 5000 | sed "s/^/second $s line /"
                        sleep 1
                      done
                  - id: after
                    run: echo done
                """.formatted(seconds));
        StepTypes types = StepTypes.discover();
        RunbookLoader loader = new RunbookLoader(types);
        DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(120, 40));
        TuiApp app = new TuiApp(new TerminalScreen(vt), Operator.NOBODY, Map.of());
        Runbook rb = loader.load(runbook);
        Run run = new Runs(new StateDir(dir.resolve("state")), "bench").start(rb,
                Params.resolve(rb, Map.of(), Map.of(), Map.of(), d -> null), app, "bench", false);
        Engine engine = new Engine(run, types, loader.contexts(), app.operator(), Settings.of(Map.of()));
        CompletableFuture<Integer> ui = CompletableFuture.supplyAsync(() -> {
            try {
                return app.drive(engine, new Planner(types));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        waitFor(vt, "lockstep │", true);

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        Thread.sleep(3000);
        double idleCpu = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
        List<Double> idle = latencies(vt, 20);

        vt.addInput(new KeyStroke(KeyType.Enter));
        waitFor(vt, "second 1 line", true);
        long heapMax = 0;
        cpu0 = os.getProcessCpuTime();
        wall0 = System.nanoTime();
        List<Double> loaded = new ArrayList<>();
        long end = System.nanoTime() + (seconds - 2) * 1_000_000_000L;
        while (System.nanoTime() < end) {
            loaded.addAll(latencies(vt, 2));
            Runtime rt = Runtime.getRuntime();
            heapMax = Math.max(heapMax, rt.totalMemory() - rt.freeMemory());
            Thread.sleep(200);
        }
        double loadedCpu = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
        waitFor(vt, "✓ flood", true);
        cpu0 = os.getProcessCpuTime();
        wall0 = System.nanoTime();
        Thread.sleep(5000);
        double idleAfter = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapAfterGc = rt.totalMemory() - rt.freeMemory();
        vt.addInput(new KeyStroke('c', true, false));
        ui.get();

        System.out.printf("%-44s %10s %10s %10s%n", "key press to redraw", "median ms", "p95 ms", "samples");
        print("idle (baseline)", idle);
        print("while a step writes 5,000 lines/s", loaded);
        System.out.printf("p95 ratio loaded/idle: %.2f%n", p(loaded, 0.95) / p(idle, 0.95));
        System.out.printf("CPU of the lockstep JVM (of one core): idle after start-up %.1f%%, under 5,000 lines/s %.1f%%,"
                + " idle after the flood %.1f%%%n", idleCpu, loadedCpu, idleAfter);
        System.out.printf("heap: max seen %d MB during the flood, %d MB after GC (%d lines written)%n",
                heapMax >> 20, heapAfterGc >> 20, 5000L * seconds);
        System.exit(0);
    }

    /** Opens and closes the help overlay {@code n} times; each time from the key to the screen showing it. */
    private static List<Double> latencies(DefaultVirtualTerminal vt, int n) throws InterruptedException {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            vt.addInput(new KeyStroke('?', false, false));
            waitFor(vt, "Up/Down select a step", true);
            out.add((System.nanoTime() - t0) / 1e6);
            vt.addInput(new KeyStroke(KeyType.Escape));
            waitFor(vt, "Up/Down select a step", false);
        }
        return out;
    }

    private static void waitFor(DefaultVirtualTerminal vt, String text, boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (contains(vt, text) != present) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("screen never " + (present ? "showed " : "lost ") + text);
            Thread.sleep(0, 200_000);
        }
    }

    private static boolean contains(DefaultVirtualTerminal vt, String text) {
        TerminalSize size = vt.getTerminalSize();
        for (int r = 0; r < size.getRows(); r++) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < size.getColumns(); c++) b.append(vt.getCharacter(c, r).getCharacterString());
            if (b.indexOf(text) >= 0) return true;
        }
        return false;
    }

    private static double p(List<Double> xs, double q) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) (s.size() * q)));
    }

    private static void print(String what, List<Double> xs) {
        System.out.printf("%-44s %10.1f %10.1f %10d%n", what, p(xs, 0.5), p(xs, 0.95), xs.size());
    }
}
