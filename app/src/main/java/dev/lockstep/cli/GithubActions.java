package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.MachineText;
import dev.lockstep.spi.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * What GitHub Actions reads from a step's output (workflow commands) and files: annotations
 * at a runbook's line, log groups, and the job summary. Used only when GITHUB_ACTIONS=true, when
 * standard output and error go through a {@link CommandGuard}: the commands here are the only
 * ones lockstep gives, and every text given here is already masked.
 */
final class GithubActions {
    /** GitHub refuses a step's summary over 1 MiB (and shows none of it). */
    static final long SUMMARY_LIMIT = 1024 * 1024;
    /** What an annotation shows of a message. */
    private static final int ANNOTATION_LIMIT = 4096;

    private final Map<String, String> env;
    private final CommandGuard out;

    private GithubActions(Map<String, String> env, CommandGuard out) {
        this.env = env;
        this.out = out;
    }

    static boolean on(Map<String, String> env) {
        return "true".equals(env.get("GITHUB_ACTIONS"));
    }

    /** The runner's view, giving commands through {@code out}. */
    static GithubActions of(Map<String, String> env, CommandGuard out) {
        return new GithubActions(env, out);
    }

    /** An error annotation at a runbook position (a path relative to the workspace, so GitHub links it). */
    void error(Position at, String title, String message) {
        out.command("::error file=" + property(relative(at.file())) + ",line=" + at.line() + ",col=" + at.column()
                + ",title=" + property(title) + "::" + data(MachineText.bounded(message, ANNOTATION_LIMIT)));
    }

    void group(String title) {
        out.command("::group::" + data(title));
    }

    void endGroup() {
        out.command("::endgroup::");
    }

    /**
     * Appends Markdown to the job summary ($GITHUB_STEP_SUMMARY), when the runner gives one, within what is left
     * of GitHub's limit for the step: what does not fit is cut at a line, and a last line says so and where the
     * whole report is.
     */
    void appendSummary(String markdown, String whole) {
        String file = env.get("GITHUB_STEP_SUMMARY");
        if (file == null || file.isBlank()) return;
        Path path = Path.of(file);
        try {
            long room = SUMMARY_LIMIT - (Files.exists(path) ? Files.size(path) : 0);
            String text = markdown.endsWith("\n") ? markdown : markdown + "\n";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > room) {
                String note = "\n> lockstep cut this report here: GitHub keeps at most 1 MiB of summary per step and "
                        + room + " bytes were left for its " + bytes.length + "; " + whole + "\n";
                int keep = (int) Math.max(0, room - note.getBytes(StandardCharsets.UTF_8).length);
                if (keep == 0) return;
                text = upToLine(text, keep) + note;
            }
            Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot append to $GITHUB_STEP_SUMMARY " + file + ": " + e.getMessage());
        }
    }

    /** The longest start of {@code text} that ends at a line and takes at most {@code bytes} in UTF-8. */
    private static String upToLine(String text, int bytes) {
        int used = 0;
        int lastLine = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > bytes) break;
            used += n;
            i += Character.charCount(cp);
            if (cp == '\n') lastLine = i;
        }
        return text.substring(0, lastLine);
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
