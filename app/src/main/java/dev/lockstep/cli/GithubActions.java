package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * What GitHub Actions reads from a step's output (workflow commands) and files: annotations
 * at a runbook's line, log groups, and the job summary. Used only when GITHUB_ACTIONS=true;
 * every text given here is already masked.
 */
final class GithubActions {
    private final Map<String, String> env;

    private GithubActions(Map<String, String> env) {
        this.env = env;
    }

    /** The runner's view, or null outside GitHub Actions. */
    static GithubActions of(Map<String, String> env) {
        return "true".equals(env.get("GITHUB_ACTIONS")) ? new GithubActions(env) : null;
    }

    /** An error annotation at a runbook position (a path relative to the workspace, so GitHub links it). */
    String error(Position at, String title, String message) {
        return "::error file=" + property(relative(at.file())) + ",line=" + at.line() + ",col=" + at.column()
                + ",title=" + property(title) + "::" + data(message);
    }

    static String group(String title) {
        return "::group::" + data(title);
    }

    static String endGroup() {
        return "::endgroup::";
    }

    /** Appends Markdown to the job summary ($GITHUB_STEP_SUMMARY), when the runner gives one. */
    void appendSummary(String markdown) {
        String file = env.get("GITHUB_STEP_SUMMARY");
        if (file == null || file.isBlank()) return;
        try {
            Files.writeString(Path.of(file), markdown.endsWith("\n") ? markdown : markdown + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot append to $GITHUB_STEP_SUMMARY " + file + ": " + e.getMessage());
        }
    }

    private String relative(String file) {
        String workspace = env.get("GITHUB_WORKSPACE");
        Path p = Path.of(file).toAbsolutePath().normalize();
        Path base = Path.of(workspace != null && !workspace.isBlank() ? workspace : "").toAbsolutePath().normalize();
        return p.startsWith(base) ? base.relativize(p).toString() : p.toString();
    }

    /** A workflow command's message: line breaks and % escaped, as the runner expects. */
    static String data(String text) {
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    /** A workflow command's property value: also ':' and ',' escaped. */
    static String property(String text) {
        return data(text).replace(":", "%3A").replace(",", "%2C");
    }
}
