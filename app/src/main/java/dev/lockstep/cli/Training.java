package dev.lockstep.cli;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.DefaultKeyDecodingProfile;
import com.googlecode.lanterna.input.InputDecoder;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.ScreenInfoCharacterPattern;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.MouseCaptureMode;
import com.googlecode.lanterna.terminal.ansi.ANSITerminal;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.Runs;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.FileTrees;
import dev.lockstep.spi.Settings;
import dev.lockstep.tui.TuiApp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training run behind the distribution's class-data (AppCDS) or AOT cache: in one JVM, the
 * commands an operator starts most (--version, --help, validate, plan, schema, a run of the demo
 * runbook) and the first frame of the full-screen UI, on a virtual terminal. A class that is not in
 * the archive is read from its jar, and the first read from the libraries' jar indexes all of its
 * ~30,000 entries: ~25 ms. It leaves nothing behind. Not a lockstep command:
 * dist/package and the archive's launcher run it with the JVM options that record what it loads.
 */
final class Training {
    private Training() {}

    /** Far longer than a training run takes (a few seconds); a run that is still going is stuck. */
    private static final long MAX_MILLIS = 120_000;

    public static void main(String[] args) throws IOException {
        // The launcher trains on a command's first use: a stuck training must not hold that command up.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(MAX_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("lockstep training: still running after " + MAX_MILLIS / 1000 + " s; stopped");
            Runtime.getRuntime().halt(1);
        }, "lockstep-training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Path home = Path.of(System.getProperty("lockstep.home", "."));
        Path demo = home.resolve("runbooks/demo.yaml");
        Path tmp = Files.createTempDirectory("lockstep-training");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LOCKSTEP_STATE_DIR", tmp.resolve("state").toString());
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        try {
            for (String[] command : new String[][] {{"--version"}, {"--help"}, {"validate", demo.toString()},
                    {"plan", demo.toString(), "-p", "workdir=" + tmp.resolve("work")}, {"schema"}, {"runs"},
                    {"run", demo.toString(), "-p", "workdir=" + tmp.resolve("run"), "-p", "rows=5", "--no-tui", "--yes",
                            "--confirm", "switch=relay"}}) {
                Main.run(env, new ByteArrayInputStream(new byte[0]), nowhere, nowhere, command);
            }
            firstFrame(demo, tmp);
        } finally {
            FileTrees.delete(tmp);
        }
    }

    /** Opens the UI on a new run of the demo runbook, draws the first frame, and quits. */
    private static void firstFrame(Path demo, Path tmp) throws IOException {
        Cli cli = new Cli(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()));
        DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(120, 40));
        TuiApp app = new TuiApp(new TerminalScreen(terminal), Operator.NOBODY, Map.of());
        Runbook runbook = cli.loader().load(demo);
        Params params = Params.resolve(runbook, Map.of("workdir", tmp.resolve("work").toString()), Map.of(), Map.of(), d -> null);
        Run run = new Runs(new StateDir(tmp.resolve("tui-state")), Cli.version()).start(runbook, params, app, "training", false);
        Engine engine = new Engine(run, cli.types(), cli.loader().contexts(), app.operator(), Settings.of(Map.of()));
        terminal.addInput(new KeyStroke('q', false, false));
        try {
            app.drive(engine, new Planner(cli.types()));
        } finally {
            run.close();
        }
        realTerminal();
    }

    /**
     * What a virtual terminal leaves out of the first frame on a real one: the tty terminal's
     * classes, and its key decoder, set up as Lanterna sets it up, reading an arrow key.
     */
    private static void realTerminal() throws IOException {
        try {
            Class.forName("dev.lockstep.tui.QuickTtyTerminal", false, Training.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the training names a class that is gone", e);
        }
        // Lanterna's escape sequences for colours and the mouse (its switch tables), and the Ctrl-C setting.
        ANSITerminal ansi = new ANSITerminal(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(),
                StandardCharsets.UTF_8) { };
        ansi.enableSGR(SGR.BOLD);
        ansi.setMouseCaptureMode(MouseCaptureMode.CLICK);
        UnixLikeTerminal.CtrlCBehaviour.valueOf("TRAP");
        InputDecoder keys = new InputDecoder(new StringReader("\u001b[30;100R\u001b[Aq"));
        keys.addProfile(new DefaultKeyDecodingProfile());
        keys.addProfile(() -> List.of(new ScreenInfoCharacterPattern()));
        for (int i = 0; i < 3; i++) keys.getNextCharacter(false);
    }
}
