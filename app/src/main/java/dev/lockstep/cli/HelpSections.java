package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * What a command's help shows beyond picocli's: its options under headings (the command's own, where runs
 * are kept, each kind of place), its examples, and the exit codes. Every line is wrapped between words only
 * (picocli's wrapping breaks {@code ~/.local} after the dot), and an exit code never across lines.
 * The man page reads the same groups and examples.
 */
final class HelpSections implements IHelpSectionRenderer {
    /** The command's own options (and help), listed first. */
    static final String OPTIONS = "Options:";
    private static final String EXAMPLES = "examples";
    private static final String EXIT_CODES = "exitCodes";
    /** Option names wider than this put their description on the next line rather than squeeze every description. */
    private static final int MAX_NAMES_WIDTH = 24;
    /** Each exit code's words in help, shorter than its {@link ErrorCode#meaning()} (the man page's); a code not here shows that. */
    private static final Map<ErrorCode, String> EXIT_CODE_WORDS = exitCodeWords();

    private final Map<OptionSpec, String> headings = new IdentityHashMap<>();
    private final List<String> examples = new ArrayList<>();

    private HelpSections() {}

    /** Gives {@code spec}'s help these sections (each command's help has its own). */
    static void install(CommandSpec spec) {
        HelpSections sections = new HelpSections();
        UsageMessageSpec usage = spec.usageMessage();
        // The synopsis says [OPTIONS]: the groups below list them, and a local command names no cloud's options.
        usage.abbreviateSynopsis(true);
        Map<String, IHelpSectionRenderer> map = usage.sectionMap();
        map.put(UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, help -> sections.parameters(help.commandSpec()));
        map.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, sections);
        map.put(EXAMPLES, help -> sections.examplesText());
        map.put(EXIT_CODES, help -> exitCodes(help.commandSpec().usageMessage().width()));
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        keys.remove(UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING);
        keys.remove(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
        keys.remove(UsageMessageSpec.SECTION_KEY_FOOTER);
        keys.add(EXAMPLES);
        keys.add(EXIT_CODES);
        usage.sectionKeys(keys);
    }

    static HelpSections of(CommandSpec spec) {
        return (HelpSections) spec.usageMessage().sectionMap().get(UsageMessageSpec.SECTION_KEY_OPTION_LIST);
    }

    /** Lists {@code option} under {@code heading} ("State options:") instead of the command's own. */
    static void group(CommandSpec command, String heading, OptionSpec option) {
        of(command).headings.put(option, heading);
    }

    /** The command lines "Examples:" shows, each one that works as printed. */
    static void examples(CommandSpec command, String... lines) {
        of(command).examples.addAll(List.of(lines));
    }

    List<String> examples() {
        return List.copyOf(examples);
    }

    /** The visible options under their headings, the command's own first, each group in alphabetical order. */
    Map<String, List<OptionSpec>> groups(CommandSpec spec) {
        Map<String, List<OptionSpec>> out = new LinkedHashMap<>();
        out.put(OPTIONS, new ArrayList<>());
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            out.computeIfAbsent(headings.getOrDefault(o, OPTIONS), h -> new ArrayList<>()).add(o);
        }
        out.values().removeIf(List::isEmpty);
        Comparator<OptionSpec> byName = Comparator.comparing(o -> o.longestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT));
        out.values().forEach(list -> list.sort(byName));
        return out;
    }

    @Override
    public String render(Help help) {
        CommandSpec spec = help.commandSpec();
        Map<String, List<String[]>> groups = new LinkedHashMap<>();
        groups(spec).forEach((heading, options) -> {
            List<String[]> rows = new ArrayList<>();
            for (OptionSpec o : options) rows.add(new String[] {names(o), String.join(" ", o.description())});
            groups.put(heading, rows);
        });
        // One description column for every group of the command, so that they read as one list.
        List<String[]> all = new ArrayList<>(parameterRows(spec));
        groups.values().forEach(all::addAll);
        int column = column(all);
        StringBuilder b = new StringBuilder();
        groups.forEach((heading, rows) -> b.append('\n').append(heading).append('\n')
                .append(table(rows, column, spec.usageMessage().width())));
        return b.toString();
    }

    private String parameters(CommandSpec spec) {
        List<String[]> rows = parameterRows(spec);
        List<String[]> all = new ArrayList<>(rows);
        for (OptionSpec o : spec.options()) if (!o.hidden()) all.add(new String[] {names(o), ""});
        return table(rows, column(all), spec.usageMessage().width());
    }

    private static List<String[]> parameterRows(CommandSpec spec) {
        List<String[]> rows = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) rows.add(new String[] {label(p), String.join(" ", p.description())});
        }
        return rows;
    }

    private String examplesText() {
        if (examples.isEmpty()) return "";
        StringBuilder b = new StringBuilder("\nExamples:\n");
        for (String e : examples) b.append("  ").append(e).append('\n');
        return b.toString();
    }

    /** "  -p, --param=KEY=VALUE" as picocli writes it: a short name first, long names lined up after it. */
    static String names(OptionSpec o) {
        String shortName = null;
        for (String n : o.names()) if (!n.startsWith("--")) shortName = n;
        String text = (shortName != null ? shortName + ", " : "    ") + o.longestName();
        return o.arity().max() > 0 ? text + "=" + o.paramLabel() : text;
    }

    /** {@code [RUN_ID]}, {@code FILE...}: whether it may be left out, and whether it takes several. */
    static String label(PositionalParamSpec p) {
        String text = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
        return p.arity().min() == 0 ? "[" + text + "]" : text;
    }

    /** Where descriptions start: after the widest names that are not {@link #MAX_NAMES_WIDTH too wide}. */
    private static int column(List<String[]> rows) {
        int namesWidth = 0;
        for (String[] r : rows) if (r[0].length() <= MAX_NAMES_WIDTH) namesWidth = Math.max(namesWidth, r[0].length());
        return 2 + namesWidth + 2;
    }

    /** Names and descriptions, the descriptions from {@code column} on, wrapped at {@code width} between words only. */
    private static String table(List<String[]> rows, int column, int width) {
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            b.append("  ").append(r[0]);
            if (r[1].isBlank()) {
                b.append('\n');
                continue;
            }
            if (2 + r[0].length() + 2 > column) {
                b.append('\n').append(" ".repeat(column));
            } else {
                b.append(" ".repeat(column - 2 - r[0].length()));
            }
            List<String> lines = wrap(r[1], width - column, width - column - 2);
            b.append(lines.get(0)).append('\n');
            for (String line : lines.subList(1, lines.size())) b.append(" ".repeat(column + 2)).append(line).append('\n');
        }
        return b.toString();
    }

    /**
     * {@code text} in lines of at most {@code first}, then {@code rest}, characters, broken at spaces; a word longer than a
     * line (a URL's pattern) is broken after a slash.
     */
    static List<String> wrap(String text, int first, int rest) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split(" +")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > (lines.isEmpty() ? first : rest)) {
                lines.add(line.toString());
                line.setLength(0);
            }
            int limit = lines.isEmpty() ? first : rest;
            int slash = word.lastIndexOf('/', limit - line.length() - 2);
            while (line.length() == 0 && word.length() > limit && slash > 0) {
                lines.add(word.substring(0, slash + 1));
                word = word.substring(slash + 1);
                limit = rest;
                slash = word.lastIndexOf('/', limit - 2);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /** The exit codes, as many to a line as fit in {@code width}, none broken across lines. */
    static String exitCodes(int width) {
        List<String> entries = new ArrayList<>();
        entries.add("0 success");
        for (ErrorCode code : ErrorCode.values()) entries.add(code.exitCode() + " " + EXIT_CODE_WORDS.getOrDefault(code, code.meaning()));
        StringBuilder b = new StringBuilder("\nExit codes:\n");
        StringBuilder line = new StringBuilder();
        for (String entry : entries) {
            if (line.length() > 0 && line.length() + 3 + entry.length() > width) {
                b.append(line).append('\n');
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "  " : "   ").append(entry);
        }
        return b.append(line).append('\n').toString();
    }

    private static Map<ErrorCode, String> exitCodeWords() {
        Map<ErrorCode, String> words = new LinkedHashMap<>();
        words.put(ErrorCode.STEP_FAILED, "step failed");
        words.put(ErrorCode.USAGE, "usage");
        words.put(ErrorCode.HALTED, "halted");
        words.put(ErrorCode.PRECONDITION_NOT_MET, "precondition not met");
        words.put(ErrorCode.INVALID_RUNBOOK, "invalid runbook");
        words.put(ErrorCode.LOCK_HELD, "lock held");
        words.put(ErrorCode.NEEDS_OPERATOR, "needs an operator's decision");
        words.put(ErrorCode.RUNBOOK_CHANGED, "runbook changed since the run started");
        words.put(ErrorCode.UNFINISHED_RUN, "unfinished run exists");
        words.put(ErrorCode.NOT_FOUND, "no such run");
        words.put(ErrorCode.STATE_CORRUPT, "journal damaged");
        words.put(ErrorCode.IO, "file error");
        words.put(ErrorCode.WRONG_TARGET, "wrong place to act (credentials, cluster)");
        words.put(ErrorCode.NO_CREDENTIALS, "no credentials, or the endpoint unreachable");
        words.put(ErrorCode.STATE_UNAVAILABLE, "state store unreachable (the run can be resumed)");
        words.put(ErrorCode.PLAN_DIFFERS, "differs from the saved plan");
        words.put(ErrorCode.WOULD_FAIL, "a step would fail");
        words.put(ErrorCode.INTERNAL, "internal error");
        words.put(ErrorCode.INTERRUPTED, "interrupted");
        return words;
    }
}
