package dev.lockstep.trust;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Runbooks whose steps print what an attacker controls, and the rules every machine-read stream must
 * keep whatever they print: what GitHub's runner would take as a workflow command, and the terminal
 * escapes a plain line may carry. Shared by the finding tests and the corpus test.
 */
final class HostileOutput {
    private HostileOutput() {}

    static final String SECRET = "hostile-secret-5150";

    /**
     * Steps that succeed with the payload as an output, then halt on a line holding it; a step whose title is
     * the payload (escaped for YAML); and a runbook whose wait times out with the payload as what it observed.
     */
    static Path okThenHalt(Path dir, String title) throws Exception {
        return write(dir.resolve("ok-halt.yaml"), """
                lockstep: 1
                name: hostile-ok-halt
                title: %s
                params:
                  payload: { description: "file holding what the step prints" }
                  extra: { default: "-", description: "the same text, as a parameter" }
                  token: { secret: true, env: HOSTILE_TOKEN }
                steps:
                  - id: emit
                    title: %s
                    run: cat "${{ params.payload }}"
                    outputs:
                      o: "${{ result.stdout }}"
                      p: "${{ params.extra }}"
                  - id: verify
                    title: Halt on the payload
                    run: |
                      printf 'MISMATCH %%s ' "${{ params.token }}"; cat "${{ params.payload }}"
                    logs:
                      haltOn: ["MISMATCH"]
                """.formatted(yaml(title), yaml(title)));
    }

    static Path failing(Path dir) throws Exception {
        return write(dir.resolve("fail.yaml"), """
                lockstep: 1
                name: hostile-fail
                title: The payload as a failure message
                params:
                  payload: { description: "file holding what the check observes" }
                  token: { secret: true, env: HOSTILE_TOKEN }
                steps:
                  - id: poll
                    uses: wait
                    with:
                      until:
                        run: cat "${{ params.payload }}"
                        readOnly: true
                        expect: { stdout: "never printed" }
                      interval: 100ms
                      timeout: 300ms
                """);
    }

    private static Path write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** A YAML double-quoted scalar holding {@code s} exactly (every non-printable character as an escape). */
    static String yaml(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c >= 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /** What GitHub's runner treats as a line: .NET's ReadLine ends one at CR, LF or CRLF. */
    static List<String> runnerLines(String text) {
        return List.of(text.split("\r\n|\r|\n", -1));
    }

    /** .NET's String.TrimStart: Unicode white space, the C0 separators and U+0085 included. */
    static String trimStart(String line) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (!(Character.isSpaceChar(c) || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85)) break;
            i++;
        }
        return line.substring(i);
    }

    /** The commands lockstep itself gives the runner: a step's log group, its end, and a failed step's annotation. */
    private static final Pattern OWN_COMMAND = Pattern.compile(
            "::group::(step|rollback of step|runbook rollback action) [A-Za-z0-9_.-]+|::endgroup::"
                    + "|::error file=[^:]*,line=\\d+,col=\\d+,title=lockstep%3A step [A-Za-z0-9_-]+ [a-z ]+::[^\r\n]*"
                    + "|::error file=[^:]*,line=\\d+,col=\\d+,title=lockstep validate::[^\r\n]*");

    /**
     * Every line of {@code text} (as the runner splits it) that would be a workflow command lockstep did not
     * mean to give: one starting with :: after white space, or holding the legacy ##[ form anywhere.
     */
    static List<String> forgedCommands(String text) {
        List<String> forged = new ArrayList<>();
        for (String line : runnerLines(text)) {
            String t = trimStart(line);
            if (OWN_COMMAND.matcher(t).matches()) continue;
            if (t.startsWith("::") || line.contains("##[")) forged.add(shorten(line));
        }
        return forged;
    }

    /** Escape sequences in {@code text} other than colours (SGR), which the full screen would have dropped. */
    static List<String> terminalEscapes(String text, boolean colourAllowed) {
        List<String> found = new ArrayList<>();
        var m = Pattern.compile("\u001b(\\[[0-9;:]*m)?").matcher(text);
        while (m.find()) {
            if (m.group(1) == null || !colourAllowed) found.add(shorten(text.substring(m.start(), Math.min(text.length(), m.start() + 12))));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0x07 || c == '\r' || (c >= 0x80 && c <= 0x9f)) found.add(String.format("U+%04X", (int) c));
        }
        return found;
    }

    static boolean strictUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String shorten(String s) {
        String visible = s.replace("\u001b", "ESC").replace("\r", "CR");
        return visible.length() > 120 ? visible.substring(0, 120) + "… (" + s.length() + " chars)" : visible;
    }
}
