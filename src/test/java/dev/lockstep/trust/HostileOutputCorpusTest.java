package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-output corpus through every stream lockstep writes for machines or logs: each case is
 * printed by a step (as bytes), carried as an output, a parameter, a step title, a halt's evidence and a
 * failure message, then read back from plain lines (run, plan and show), GitHub Actions lines, the job
 * summary, JUnit XML, {@code --output json} and the Markdown report. Each stream x case must forge no
 * workflow command, leak no secret, keep its format (XML well-formed, JSON parsed, UTF-8 valid) and stay
 * bounded.
 */
class HostileOutputCorpusTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    /** A case: the bytes a step prints, and the text a parameter and a title carry. */
    private record Case(String name, byte[] printed, String text) {
        static Case of(String name, String text) {
            return new Case(name, text.getBytes(StandardCharsets.UTF_8), text);
        }
    }

    private static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        cases.add(Case.of("stop-commands", "::stop-commands::pwned\n::error::after stop\n"));
        cases.add(Case.of("commands after spaces", "   ::error title=Fake::forged\n \t ::warning::w\n\u00a0::notice::nbsp\n"));
        cases.add(Case.of("commands after CR", "progress\r::set-output name=a::b\r\n::add-mask::m\r::endgroup::\n"));
        cases.add(Case.of("set-env and legacy form", "::set-env name=X::y\nsee ##[set-env name=X;]y and ##[error]legacy\n"));
        cases.add(Case.of("ANSI and OSC", "\u001b]0;evil title\u0007\u001b[2J\u001b[H\u001b]8;;http://evil.example\u001b\\link"
                + "\u001b]8;;\u001b\\ \u001b[31mred\u001b[0m \u001bP+q\u001b\\ \u001b[?1049h\u001bc\u009b2J end\n"));
        cases.add(new Case("invalid UTF-8", new byte[] {(byte) 0xff, (byte) 0xfe, '\n', (byte) 0xc3, '(', ':', ':', 'e', 'r', 'r',
                'o', 'r', ':', ':', 'x', '\n', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'}, "\ufffd::error::x"));
        cases.add(new Case("lone surrogates", "half \ud800 and \udfff\n".getBytes(StandardCharsets.UTF_8),
                "half \ud800 and \udfff\n::error::after a surrogate"));
        cases.add(Case.of("CDATA end and markup", "]]> <x a=\"1\"> & </testcase> | pipe | `tick` <!--\n"));
        cases.add(Case.of("U+FFFE, NUL and separators", "\ufffe\uffff\u0000\u0085::error::nel\u2028::error::ls\u2029x\u000b\u000c\n"));
        cases.add(Case.of("1 MB line", "MISMATCH " + "y".repeat(MIB) + "\n"));
        cases.add(new Case("a secret printed", (HostileOutput.SECRET + "\n::add-mask::" + HostileOutput.SECRET + "\n")
                .getBytes(StandardCharsets.UTF_8), "::add-mask::not the secret"));
        return cases;
    }

    private static final List<String> STREAMS = List.of("plain lines", "GitHub Actions lines", "job summary", "JUnit XML",
            "--output json", "report");

    @Test
    void everyStreamKeepsItsRulesForEveryHostileCase() throws Exception {
        Map<String, List<String>> failures = new LinkedHashMap<>();
        int cells = 0;
        int i = 0;
        for (Case c : corpus()) {
            Path dir = tmp.resolve("case" + i++);
            Map<String, Supplier<List<String>>> streams = streams(dir, c);
            for (String stream : STREAMS) {
                cells++;
                List<String> problems = streams.get(stream).get();
                if (!problems.isEmpty()) failures.put(c.name() + " x " + stream, problems);
            }
        }
        System.out.println("hostile-output matrix: " + corpus().size() + " cases x " + STREAMS.size() + " streams = " + cells
                + " cells, " + (cells - failures.size()) + " passed, " + failures.size() + " failed");
        failures.forEach((cell, problems) -> System.out.println("  FAILED " + cell + ": " + problems));
        assertEquals(Map.of(), failures);
    }

    /** Runs the case once per stream family and returns, per stream, what it broke. */
    private Map<String, Supplier<List<String>>> streams(Path dir, Case c) throws Exception {
        Files.createDirectories(dir);
        Path payload = Files.write(dir.resolve("payload"), c.printed());
        Path okHalt = HostileOutput.okThenHalt(dir, c.text().length() > 10_000 ? c.name() : c.text());
        Path failing = HostileOutput.failing(dir);
        String[] params = {"-p", "payload=" + payload, "-p", "extra=" + c.text()};

        LockstepCli plainCli = new LockstepCli(dir.resolve("plain-state")).env("HOSTILE_TOKEN", HostileOutput.SECRET)
                .without("GITHUB_ACTIONS").without("NO_COLOR");
        LockstepCli.Result plainHalted = plainCli.run(concat(new String[] {"run", okHalt.toString(), "--no-tui"}, params));
        List<LockstepCli.Result> plain = List.of(plainHalted,
                plainCli.run("run", failing.toString(), "--no-tui", "-p", "payload=" + payload),
                plainCli.run(concat(new String[] {"plan", okHalt.toString()}, params)),
                plainCli.run("show", OutputStreamsTest.runId(plainHalted)));

        Path summary = dir.resolve("summary.md");
        Path junit = dir.resolve("junit.xml");
        Path failJunit = dir.resolve("fail-junit.xml");
        LockstepCli gh = new LockstepCli(dir.resolve("gh-state")).env("HOSTILE_TOKEN", HostileOutput.SECRET).env("CI", "true")
                .env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", summary.toString()).env("GITHUB_WORKSPACE", dir.toString());
        LockstepCli.Result halted = gh.run(concat(new String[] {"run", okHalt.toString(), "--no-tui", "--junit", junit.toString()}, params));
        LockstepCli.Result failed = gh.run("run", failing.toString(), "--no-tui", "-p", "payload=" + payload, "--junit", failJunit.toString());
        List<LockstepCli.Result> github = List.of(halted, failed, gh.run(concat(new String[] {"plan", okHalt.toString()}, params)));

        String haltedId = OutputStreamsTest.runId(halted);
        String failedId = OutputStreamsTest.runId(failed);
        List<String> json = List.of(gh.run("show", haltedId, "--output", "json").out(), gh.run("show", failedId, "--output", "json").out(),
                gh.run("runs", "--output", "json").out(), gh.run(concat(new String[] {"plan", okHalt.toString(), "--output", "json"}, params)).out());
        Path report = dir.resolve("report.md");
        Path failReport = dir.resolve("fail-report.md");
        gh.run("report", haltedId, "-o", report.toString());
        gh.run("report", failedId, "-o", failReport.toString());

        Map<String, Supplier<List<String>>> checks = new LinkedHashMap<>();
        checks.put("plain lines", () -> {
            List<String> p = new ArrayList<>();
            for (LockstepCli.Result r : plain) {
                p.addAll(HostileOutput.terminalEscapes(r.all(), true));
                p.addAll(longLines(r.all(), 70_000));
                if (r.all().contains(HostileOutput.SECRET)) p.add("secret in plain lines");
            }
            return p;
        });
        checks.put("GitHub Actions lines", () -> {
            List<String> p = new ArrayList<>();
            for (LockstepCli.Result r : github) {
                p.addAll(HostileOutput.forgedCommands(r.out()));
                p.addAll(HostileOutput.forgedCommands(r.err()));
                p.addAll(longLines(r.all(), 70_000));
                if (r.all().contains(HostileOutput.SECRET)) p.add("secret in GitHub lines");
            }
            return p;
        });
        checks.put("job summary", () -> file(summary, MIB, false));
        checks.put("JUnit XML", () -> {
            List<String> p = new ArrayList<>(file(junit, 256 * 1024, true));
            p.addAll(file(failJunit, 256 * 1024, true));
            return p;
        });
        checks.put("--output json", () -> {
            List<String> p = new ArrayList<>();
            for (String doc : json) {
                try {
                    Json.parse(doc);
                } catch (RuntimeException e) {
                    p.add("JSON does not parse: " + e.getMessage());
                }
                if (doc.contains(HostileOutput.SECRET)) p.add("secret in JSON");
            }
            for (int k = 0; k < 2; k++) if (json.get(k).length() > 512 * 1024) p.add("show JSON is " + json.get(k).length() + " chars");
            return p;
        });
        checks.put("report", () -> {
            List<String> p = new ArrayList<>(file(report, 512 * 1024, false));
            p.addAll(file(failReport, 512 * 1024, false));
            return p;
        });
        return checks;
    }

    /** A written file: there, valid UTF-8, under {@code limit} bytes, no secret, no raw control character; XML well-formed. */
    private static List<String> file(Path f, int limit, boolean xml) {
        List<String> p = new ArrayList<>();
        try {
            if (!Files.exists(f)) return List.of(f.getFileName() + " was not written");
            byte[] bytes = Files.readAllBytes(f);
            if (bytes.length > limit) p.add(f.getFileName() + " is " + bytes.length + " bytes, over " + limit);
            if (!HostileOutput.strictUtf8(bytes)) p.add(f.getFileName() + " is not valid UTF-8");
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.contains(HostileOutput.SECRET)) p.add("secret in " + f.getFileName());
            if (!HostileOutput.terminalEscapes(text, false).isEmpty()) p.add(f.getFileName() + " holds terminal escapes");
            if (xml) {
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
            }
        } catch (Exception e) {
            p.add(f.getFileName() + ": " + e.getMessage());
        }
        return p;
    }

    private static List<String> longLines(String text, int limit) {
        List<String> p = new ArrayList<>();
        for (String line : text.split("\n")) if (line.length() > limit) p.add("a line of " + line.length() + " chars");
        return p;
    }

    private static String[] concat(String[] head, String[] tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
