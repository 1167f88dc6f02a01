package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.LockstepCli;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-line key and a token are written out by a step every way docs/runbook-reference.md (Secrets) promises to mask
 * (as they are, line by line, URL-encoded in both cases, JSON-escaped, base64, hex in both cases,
 * upper- and lower-cased, as a JSON object key) and used by a later step through an output. Nothing lockstep prints or writes may hold
 * any of those forms, and the later step must receive the real value, never the mask.
 */
class SecretsTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/trust/secrets.yaml";
    static final String TOKEN = "s3cr3t/Pa55+word=xyz:@ü-\"q\"";
    static final String KEY = """
            -----BEGIN TEST PRIVATE KEY-----
            MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
            MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
            NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ
            -----END TEST PRIVATE KEY-----""";

    @TempDir
    Path tmp;

    /** Every form in which the secrets may not appear. */
    static List<String> forms() {
        List<String> forms = new ArrayList<>();
        for (String secret : List.of(TOKEN, KEY)) {
            forms.add(secret);
            String upper = URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20");
            forms.add(upper);
            Matcher m = Pattern.compile("%[0-9A-F]{2}").matcher(upper);
            forms.add(m.replaceAll(r -> r.group().toLowerCase()));
            forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
            forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
            forms.add(secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
            String hex = HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
            forms.add(hex);
            forms.add(hex.toUpperCase(Locale.ROOT));
            forms.add(secret.toUpperCase(Locale.ROOT));
            forms.add(secret.toLowerCase(Locale.ROOT));
        }
        for (String line : KEY.split("\n")) {
            forms.add(line);
            forms.add(line.toUpperCase(Locale.ROOT));
            forms.add(line.toLowerCase(Locale.ROOT));
        }
        return forms;
    }

    static void assertNoSecret(String where, String text) {
        for (String form : forms()) {
            assertFalse(text.contains(form), "a secret (" + form.substring(0, Math.min(12, form.length()))
                    + "…) in " + where + ":\n" + text);
        }
    }

    @Test
    void secretsAppearNowhereAndLaterStepsGetTheRealValue() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        LockstepCli cli = new LockstepCli(tmp.resolve("state")).env("TEST_PEM", KEY).env("TEST_TOKEN", TOKEN);
        String url = "postgres://relay:" + TOKEN + "@db.internal:5432/relay";
        List<String> printed = new ArrayList<>();

        LockstepCli.Result first = cli.run("run", RUNBOOK, "--no-tui", "-p", "out=" + out, "--yes");
        printed.add(first.all());
        assertEquals(0, first.exit(), first.all());
        assertEquals(url, Files.readString(out.resolve("url")), "the later step got the real value in memory");
        assertTrue(first.out().contains("raw token: ******"), first.out());

        // A second run stops at its gate; resumed by another process, the output's value is no longer known.
        Files.delete(out.resolve("url"));
        LockstepCli.Result second = cli.run("run", RUNBOOK, "--no-tui", "-p", "out=" + out);
        printed.add(second.all());
        assertEquals(7, second.exit(), second.all());
        LockstepCli.Result resumed = cli.run("resume", "--no-tui", "--yes");
        printed.add(resumed.all());
        assertEquals(7, resumed.exit(), resumed.all());
        assertTrue(resumed.err().contains("steps.leak.outputs.url held a secret") && resumed.err().contains("--retry leak"),
                "names the output and how to produce it again: " + resumed.err());
        assertFalse(Files.exists(out.resolve("url")), "the step that needs it did not run with the mask");
        LockstepCli.Result retried = cli.run("resume", "--no-tui", "--yes", "--retry", "leak");
        printed.add(retried.all());
        assertEquals(0, retried.exit(), retried.all());
        assertEquals(url, Files.readString(out.resolve("url")));

        for (String runId : runIds(cli.stateDir())) {
            LockstepCli.Result show = cli.run("show", runId);
            LockstepCli.Result report = cli.run("report", runId, "-o", "-");
            LockstepCli.Result written = cli.run("report", runId);
            assertEquals(0, show.exit() + report.exit() + written.exit(), show.all() + report.all() + written.all());
            printed.add(show.all());
            printed.add(report.all());
            assertTrue(show.out().contains("as-json-key"), show.out());
        }
        assertNoSecret("what lockstep printed", String.join("\n", printed));
        try (Stream<Path> files = Files.walk(cli.stateDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) assertNoSecret(f.toString(), Files.readString(f));
        }
    }

    @Test
    void secretsAppearNowhereOnTheScreen() throws Exception {
        StepTypes types = StepTypes.discover();
        RunbookLoader loader = new RunbookLoader(types);
        Runbook rb = loader.load(Path.of(RUNBOOK));
        Map<String, String> env = Map.of("TEST_PEM", KEY, "TEST_TOKEN", TOKEN);
        Params params = Params.resolve(rb, Map.of("out", tmp.toString()), Map.of(), env, d -> null);
        DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(200, 50));
        TuiApp app = new TuiApp(new TerminalScreen(vt), Operator.NOBODY, env);
        Run run = new Runs(new StateDir(tmp.resolve("state")), "test").start(rb, params, app, "test", false);
        Engine engine = new Engine(run, types, loader.contexts(), app.operator(), Settings.of(env));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return app.drive(engine, new Planner(types));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String screen = await(vt, s -> s.contains("lockstep │"));
        vt.addInput(new KeyStroke('a', false, false));
        screen = await(vt, s -> s.contains("Run step gate"));
        assertNoSecret("the screen while running", screen);
        vt.addInput(new KeyStroke(KeyType.Escape));
        for (char key : new char[] {'p', 'l'}) {
            vt.addInput(new KeyStroke(key, false, false));
            Thread.sleep(300);
            assertNoSecret("the screen after '" + key + "'", text(vt));
            vt.addInput(new KeyStroke(KeyType.Escape));
        }
        // The leak step's recorded output, full screen: every form it wrote is masked there too.
        vt.addInput(new KeyStroke('l', false, false));
        await(vt, s -> s.contains(" Steps "));
        for (String step : List.of("as-json-key", "leak")) {
            vt.addInput(new KeyStroke(KeyType.ArrowUp));
            await(vt, s -> s.contains("step " + step + " · run"));
        }
        vt.addInput(new KeyStroke('l', false, false));
        assertNoSecret("the leak step's log on the screen", await(vt, s -> s.contains("key lower: ") && s.contains("HEX: ")));
        vt.addInput(new KeyStroke(KeyType.Escape));
        vt.addInput(new KeyStroke('q', false, false));
        exit.get(30, TimeUnit.SECONDS);
    }

    private static String await(DefaultVirtualTerminal vt, java.util.function.Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String s = text(vt);
            if (ready.test(s)) return s;
            if (System.nanoTime() > deadline) throw new AssertionError("screen never got ready:\n" + s);
            Thread.sleep(50);
        }
    }

    private static String text(DefaultVirtualTerminal vt) {
        StringBuilder b = new StringBuilder();
        TerminalSize size = vt.getTerminalSize();
        for (int r = 0; r < size.getRows(); r++) {
            for (int c = 0; c < size.getColumns(); c++) b.append(vt.getCharacter(c, r).getCharacterString());
            b.append('\n');
        }
        return b.toString();
    }

    static List<String> runIds(Path state) throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
