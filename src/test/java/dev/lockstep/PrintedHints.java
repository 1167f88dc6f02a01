package dev.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lockstep commands a command's output suggests, each run as a user would paste it; what they print in turn is
 * followed too, so that a hint's own hints are held to the same rule.
 */
public final class PrintedHints {
    /**
     * A suggested command starts here; prose such as "another lockstep process" is not one, nor a record of the
     * command that started a run ("command=lockstep demo" in show's timeline, "since 2026-…Z (lockstep run …)" after
     * a lock's holder).
     */
    private static final Pattern START =
            Pattern.compile("(?<!=|Z \\()\\blockstep (demo|resume|rollback|show|report|runs|run|plan|watch|lock|state|validate)\\b");
    /** Where a hint ends in lockstep's sentences: "a  |  b", "(… lockstep show RUN)", "`…`", "…; remove it all: …". */
    private static final Pattern END = Pattern.compile(" {2}|[)`;,]|\\.?$");
    /** Exits that say the hint fails as printed: usage, a missing parameter, no such run (another folder), a crash. */
    private static final Set<Integer> REFUSED = Set.of(2, 5, 10, 70);
    /** A password asked for, or missing: the demo's, say, which its user never sees. */
    private static final Pattern PASSWORD = Pattern.compile("(?i)password(:| is required)");

    private final LockstepCli cli;
    private final Set<String> seen = new LinkedHashSet<>();
    private final List<String> ran = new ArrayList<>();

    public PrintedHints(LockstepCli cli) {
        this.cli = cli;
    }

    /** Every command suggested on a line of {@code output}, in the order printed. */
    public static List<String> in(String output) {
        List<String> hints = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = START.matcher(line);
            while (m.find()) {
                int end = endOf(line, m.start());
                hints.add(line.substring(m.start(), end).strip());
            }
        }
        return hints;
    }

    /** The end of the hint starting at {@code from}: the first END outside quotes. */
    private static int endOf(String line, int from) {
        char quote = 0;
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else {
                Matcher m = END.matcher(line).region(i, line.length());
                if (m.lookingAt()) return i;
            }
        }
        return line.length();
    }

    /** {@code command} split into words as a POSIX shell would: single and double quotes, backslashes. */
    public static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'') {
                int close = command.indexOf('\'', i + 1);
                if (close < 0) throw new AssertionError("unbalanced quote in " + command);
                word = (word == null ? new StringBuilder() : word).append(command, i + 1, close);
                i = close;
            } else if (c == '"') {
                word = word == null ? new StringBuilder() : word;
                for (i++; i < command.length() && command.charAt(i) != '"'; i++) {
                    if (command.charAt(i) == '\\' && i + 1 < command.length() && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) i++;
                    word.append(command.charAt(i));
                }
                if (i == command.length()) throw new AssertionError("unbalanced quote in " + command);
            } else if (c == '\\' && i + 1 < command.length()) {
                word = (word == null ? new StringBuilder() : word).append(command.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) words.add(word.toString());
                word = null;
            } else if ("$|&;<>(){}*?~".indexOf(c) >= 0) {
                throw new AssertionError("a hint a shell would not pass as printed (" + c + "): " + command);
            } else {
                word = (word == null ? new StringBuilder() : word).append(c);
            }
        }
        if (word != null) words.add(word.toString());
        return words;
    }

    /**
     * Runs every hint in {@code output}, then every hint those print, each once, and checks that each was
     * accepted: not a usage error, not a missing parameter (exit 5), not a crash, and no password asked for.
     * Hints that remove what the others need (--clean) run last.
     */
    public PrintedHints runAll(String output) {
        List<String> pending = new ArrayList<>(in(output));
        List<String> last = new ArrayList<>();
        while (!pending.isEmpty()) {
            String hint = pending.remove(0);
            if (!seen.add(hint)) continue;
            if (hint.endsWith(" --clean")) {
                last.add(hint);
                continue;
            }
            pending.addAll(run(hint));
        }
        last.forEach(this::run);
        return this;
    }

    private List<String> run(String hint) {
        return in(runOne(hint).all());
    }

    /** Runs one hint as printed and checks that it was accepted (see {@link #runAll}); the hints it prints are not run. */
    public LockstepCli.Result runOne(String hint) {
        List<String> words = words(hint);
        assertEquals("lockstep", words.get(0), hint);
        LockstepCli.Result r = cli.runAsPrinted(words.subList(1, words.size()));
        ran.add(hint + "  -> exit " + r.exit());
        if (REFUSED.contains(r.exit()) || PASSWORD.matcher(r.all()).find()) {
            throw new AssertionError("a hint that does not work as printed: " + hint + "\nexit " + r.exit() + "\n" + r.all()
                    + "\nhints run so far:\n" + String.join("\n", ran));
        }
        return r;
    }

    /** The hints run, as printed, each with its exit. */
    public List<String> ran() {
        return ran;
    }

    public Set<String> hints() {
        return seen;
    }
}
