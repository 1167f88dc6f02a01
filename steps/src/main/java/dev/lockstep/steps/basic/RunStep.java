package dev.lockstep.steps.basic;

import dev.lockstep.spi.Json;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code run}: a shell script, its output streamed line by line. Expressions in the
 * script reach it as environment variables ({@code ${LS_PARAMS_STACK}}), never as text.
 *
 * <pre>
 * - id: count-rows
 *   run: sqlite3 "${{ params.db }}" 'select count(*) from events'
 *   with:
 *     capture: { rows: '^(\d+)$' }
 *   outputs:
 *     rows: "${{ result.captures.rows }}"
 * </pre>
 */
public final class RunStep implements StepType<RunStep.Config> {
    /** Captured stdout kept for {@code result.stdout}, {@code json} and {@code capture}; the log gets everything. */
    static final int MAX_CAPTURED_CHARS = 1 << 20;
    /** Linux's limit on one environment string, NAME=VALUE and its NUL (MAX_ARG_STRLEN): no program gets a longer one. */
    static final int MAX_ENV_BYTES = 128 * 1024;

    public record Config(
            @Key(value = "the shell script (written as run: on the step)", required = true) String script,
            @Key("bash (default: bash --noprofile --norc -eo pipefail) or sh (sh -e)") String shell,
            @Key("extra environment variables for the script") Map<String, String> env,
            @Key("working directory, relative to the runbook's folder") String cwd,
            @Key("parse stdout as JSON into result.json") Boolean json,
            @Key("named regexes over stdout lines: group 1 of the last match becomes result.captures.NAME") Map<String, Pattern> capture) {
        public Config {
            if (shell == null) shell = "bash";
            if (!shell.equals("bash") && !shell.equals("sh")) {
                throw new IllegalArgumentException("shell must be bash or sh, got '" + shell + "'");
            }
            env = env == null ? Map.of() : env;
            env.forEach((name, value) -> {
                int bytes = (name + "=" + (value == null ? "" : value)).getBytes(StandardCharsets.UTF_8).length + 1;
                if (bytes > MAX_ENV_BYTES) {
                    throw new IllegalArgumentException("env " + name + ": expected at most " + (MAX_ENV_BYTES - 1) + " bytes with "
                            + "its name, the most Linux passes to a program in one variable, got " + (bytes - 1)
                            + ": write a large value to a file and pass its path");
                }
            });
            capture = capture == null ? Map.of() : capture;
            json = Boolean.TRUE.equals(json);
        }
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "a shell script (`run: SCRIPT` on a step is short for `uses: run`), its output streamed line by line; "
                + "`with`: `shell`, `env`, `cwd`, `json: true` (parse stdout into `result.json`), `capture` (name → "
                + "regex, into `result.captures`)";
    }

    @Override
    public String example() {
        return """
                - id: count-rows
                  run: sqlite3 "${{ params.db }}" 'select count(*) from events'
                  with: { capture: { rows: '^(\\d+)$' } }
                  outputs: { rows: "${{ result.captures.rows }}" }
                """;
    }

    /** exitCode and stdout always; json only with json: true, captures only those named in capture. */
    @Override
    public ResultShape result(Value.Mapping with) {
        Map<String, ResultShape> fields = new LinkedHashMap<>();
        fields.put("exitCode", ResultShape.VALUE);
        fields.put("stdout", ResultShape.VALUE);
        Value json = with.get("json");
        if (json != null && !(json instanceof Value.Scalar s && Boolean.FALSE.equals(s.value()))) fields.put("json", ResultShape.ANY);
        if (with.get("capture") instanceof Value.Mapping capture) {
            Map<String, ResultShape> names = new LinkedHashMap<>();
            capture.entries().keySet().forEach(name -> names.put(name, ResultShape.VALUE));
            fields.put("captures", ResultShape.object(names));
        }
        return ResultShape.object(fields);
    }

    @Override
    public Set<String> shellKeys() {
        return Set.of("script");
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("shell: " + String.join(" ", shell(c)));
        if (c.cwd() != null) lines.add("in: " + c.cwd());
        c.env().forEach((k, v) -> lines.add("env " + k + "=" + v));
        for (String l : c.script().strip().split("\n")) lines.add("$ " + l);
        return lines;
    }

    /** The shell as the plan shows it; the script it runs arrives on its standard input (see {@link #command}). */
    private static List<String> shell(Config c) {
        return c.shell().equals("sh") ? List.of("sh", "-ec") : List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c");
    }

    /**
     * The script is not an argument: Linux refuses an argument over 128 KiB ("Argument list too long"), and a script
     * of any size that validates must run. The shell reads it whole from the pipe on its standard input, then runs it
     * with standard input from /dev/null, as before; {@code $0}, the positional parameters and errexit are those of
     * {@code -c SCRIPT}. (Words are expanded before redirections, so the script is read from the pipe.)
     */
    private static List<String> command(Config c) {
        List<String> command = new ArrayList<>(shell(c));
        // bash reads it with a builtin, so a with.env PATH without cat changes nothing.
        command.add(c.shell().equals("sh") ? "eval \"$(cat)\" </dev/null" : "eval \"$(</dev/stdin)\" </dev/null");
        return command;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(c));
        pb.directory(c.cwd() == null ? ctx.workDir().toFile() : ctx.workDir().resolve(c.cwd()).toFile());
        pb.environment().putAll(ctx.env());
        pb.environment().putAll(c.env());
        Process p = pb.start();
        ctx.recordExternalId("pid", String.valueOf(p.pid()));
        StringBuilder stdout = new StringBuilder();
        Thread out = pump(p.getInputStream(), ctx, stdout, "out");
        Thread err = pump(p.getErrorStream(), ctx, null, "err");
        try (OutputStream script = p.getOutputStream()) {
            script.write(c.script().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The shell ended before reading all of it (killed, say): its exit code says what happened.
        }
        int exit;
        try {
            exit = p.waitFor();
            out.join();
            err.join();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("exitCode", exit);
        String text;
        synchronized (stdout) {
            text = stdout.toString().strip();
        }
        data.put("stdout", text);
        if (c.json()) {
            try {
                data.put("json", Json.parse(text));
            } catch (IllegalArgumentException e) {
                return StepResult.failed("exit " + exit + ", but stdout is not JSON (" + e.getMessage() + ")", data);
            }
        }
        if (!c.capture().isEmpty()) data.put("captures", captures(c.capture(), text));
        return exit == 0 ? StepResult.ok("exit 0", data) : StepResult.failed("exit " + exit, data);
    }

    private static Map<String, Object> captures(Map<String, Pattern> patterns, String stdout) {
        Map<String, Object> out = new LinkedHashMap<>();
        patterns.forEach((name, pattern) -> {
            String found = null;
            for (String line : stdout.split("\n")) {
                Matcher m = pattern.matcher(line);
                if (m.find()) found = m.groupCount() >= 1 ? m.group(1) : m.group();
            }
            out.put(name, found);
        });
        return out;
    }

    private static Thread pump(InputStream in, StepContext ctx, StringBuilder keep, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (keep != null) {
                        synchronized (keep) {
                            if (keep.length() < MAX_CAPTURED_CHARS) keep.append(line).append('\n');
                        }
                    }
                    ctx.line(line);
                }
            } catch (IOException e) {
                ctx.note("output stream closed: " + e.getMessage());
            }
        }, "run-" + name + "-" + ctx.stepId());
        t.setDaemon(true);
        t.start();
        return t;
    }
}
