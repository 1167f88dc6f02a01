package dev.lockstep.spi;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Reads a YAML file (a runbook or a parameters file) into {@link Value}s, so that
 * hostile or broken input ends as {@code file:line:col} problems in bounded time and
 * memory: at most {@link #MAX_BYTES} bytes are read, UTF-8 only, lines of at most
 * {@link #MAX_LINE} characters, at most {@link #MAX_DEPTH} levels of nesting, at most {@link #MAX_VALUES} values and
 * {@link #MAX_TEXT} characters of text, every alias counted as all the values and text it repeats (a "billion
 * laughs" stops there, and so does one large value repeated by many aliases).
 * Plain scalars are typed by the YAML 1.2 core schema, never 1.1: {@code no} and
 * {@code 2001-12-14} stay text, {@code 0755} is 755, and every scalar keeps the exact
 * text written beside its type.
 */
public final class YamlReader {
    public static final int MAX_BYTES = 1024 * 1024;
    public static final int MAX_DEPTH = 50;
    public static final int MAX_VALUES = 100_000;
    /**
     * Characters of text (keys and values) in one file, aliases expanded: what is planned and run is the expanded
     * text, copied into each step's plan, journal records and environment, so this bounds their memory (docs/runbook-reference.md:
     * any runbook that validates is planned and run in 256 MB of heap). Four times what the file itself can hold.
     */
    public static final int MAX_TEXT = 4 * MAX_BYTES;
    /** SnakeYAML's reader copies its window for every character of a token: work grows with the square of a line. */
    public static final int MAX_LINE = 16 * 1024;
    /** Longer plain scalars are text: numbers are short, and parsing a huge one exactly costs seconds. */
    private static final int MAX_NUMBER_LENGTH = 100;

    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern INFINITY = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
    private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");

    private YamlReader() {}

    /** Reads, decodes and parses a file; null when it holds no document. Every problem is thrown at once. */
    public static Value read(Path file) {
        String name = file.toString();
        String text = decode(readBytes(file), name);
        Problems problems = new Problems();
        Value value = parse(text, name, problems);
        problems.throwIfAny();
        return value;
    }

    /** At most {@link #MAX_BYTES} bytes of a file a user names ({@link UserFiles}: never a FIFO or a device). */
    public static byte[] readBytes(Path file) {
        String refused = UserFiles.refusal(file);
        if (refused != null) throw new LockstepException(ErrorCode.IO, "cannot read " + file + ": " + refused);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read " + file + ": " + UserFiles.reason(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw fatal(new Problems(), new Position(file.toString(), 1, 1),
                    "expected at most " + MAX_BYTES + " bytes (1 MiB) of YAML, and this file is larger");
        }
        return bytes;
    }

    /**
     * Strict UTF-8 (with or without a byte-order mark), holding only characters YAML
     * allows: invalid bytes, NUL, control characters and UTF-16 are problems at their position.
     */
    public static String decode(byte[] bytes, String file) {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            throw fatal(new Problems(), new Position(file, 1, 1),
                    "expected UTF-8 text, found a UTF-16 byte-order mark: save the file as UTF-8");
        }
        int start = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        String text = out.flip().toString();
        if (result.isError()) {
            throw fatal(new Problems(), positionAfter(text, file), String.format(
                    "expected UTF-8 text, found the byte 0x%02X that is not valid UTF-8 here", bytes[in.position()] & 0xFF));
        }
        int column = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            column = c == '\n' || c == '\r' ? 0 : column + 1;
            if (column > MAX_LINE) {
                throw fatal(new Problems(), positionAfter(text.substring(0, i), file),
                        "expected lines of at most " + MAX_LINE + " characters, and this one is longer");
            }
            if (!StreamReader.isPrintable(c)) {
                String what = c == 0 ? "a NUL character (is the file UTF-16? save it as UTF-8)"
                        : String.format("the control character U+%04X", c);
                throw fatal(new Problems(), positionAfter(text.substring(0, i), file),
                        "expected text, found " + what + ": only tabs, line breaks and printable characters may appear");
            }
            i += Character.charCount(c);
        }
        return text;
    }

    /**
     * Parses one YAML document into a {@link Value}; null when the text holds none.
     * Duplicate and non-scalar keys are added to {@code problems}; a syntax error or a
     * limit passed throws at once, with the problems found so far.
     */
    public static Value parse(String text, String file, Problems problems) {
        ParserImpl parser = new ParserImpl(new StreamReader(text), new LoaderOptions());
        Builder builder = new Builder(parser, file, problems);
        try {
            return builder.document();
        } catch (MarkedYAMLException e) {
            Syntax syntax = Syntax.explain(e, text);
            throw fatal(problems, syntax.mark() != null ? at(file, syntax.mark()) : builder.lastPosition(),
                    "invalid YAML: " + syntax.message());
        } catch (YAMLException e) {
            // SnakeYAML throws a few errors without a position (its reader's, which decode() checks first,
            // and its own limits): say where parsing had got to.
            throw fatal(problems, builder.lastPosition(), "invalid YAML: " + e.getMessage());
        }
    }

    /**
     * The YAML 1.2 core schema type of a plain scalar: null, true/false, a whole number
     * (Long; text when it does not fit 64 bits), a decimal (BigDecimal, keeping its
     * digits: 1.10 stays 1.10), infinity or NaN (Double); anything else is text.
     */
    public static Object coreType(String text) {
        switch (text) {
            case "", "~", "null", "Null", "NULL":
                return null;
            case "true", "True", "TRUE":
                return Boolean.TRUE;
            case "false", "False", "FALSE":
                return Boolean.FALSE;
            default:
                break;
        }
        if (text.length() > MAX_NUMBER_LENGTH) return text;
        try {
            if (INT.matcher(text).matches()) return Long.parseLong(text);
            if (OCTAL.matcher(text).matches()) return Long.parseLong(text.substring(2), 8);
            if (HEX.matcher(text).matches()) return Long.parseLong(text.substring(2), 16);
            if (FLOAT.matcher(text).matches()) return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return text;
        }
        if (INFINITY.matcher(text).matches()) return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (NAN.matcher(text).matches()) return Double.NaN;
        return text;
    }

    /** Whether text is written as a whole number (decimal, 0o octal or 0x hex), whatever its size. */
    public static boolean looksWhole(String text) {
        return INT.matcher(text).matches() || OCTAL.matcher(text).matches() || HEX.matcher(text).matches();
    }

    static Position at(String file, Mark mark) {
        return new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Where the character after {@code before} stands, counted as editors do (code points, \n or \r\n lines). */
    private static Position positionAfter(String before, String file) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < before.length(); i++) {
            char c = before.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= before.length() || before.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return new Position(file, line, before.codePointCount(lineStart, before.length()) + 1);
    }

    private static InvalidRunbookException fatal(Problems problems, Position at, String message) {
        problems.add(at, message);
        return new InvalidRunbookException(problems.sorted());
    }

    /**
     * A syntax error in plain words, at the line that is wrong: where an unclosed quote or bracket
     * opens, where a line is indented out of step, where a second ": " or a tab stands. Errors
     * without a plainer explanation keep SnakeYAML's words.
     */
    record Syntax(Mark mark, String message) {
        private static final Pattern BAD_CHARACTER = Pattern.compile("found character '(.+?)' that cannot start any token");

        static Syntax explain(MarkedYAMLException e, String text) {
            String problem = e.getProblem() == null ? "" : e.getProblem();
            String context = e.getContext() == null ? "" : e.getContext();
            Mark problemAt = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            Mark contextAt = e.getContextMark() != null ? e.getContextMark() : problemAt;
            if (context.contains("quoted scalar") && problem.contains("end of stream")) {
                return new Syntax(contextAt, "this quoted value is never closed: add the closing quote");
            }
            if (problem.contains("'\\t") || problem.contains("\\t(TAB)")) {
                return new Syntax(problemAt, "a tab character: YAML indents with spaces only");
            }
            Matcher bad = BAD_CHARACTER.matcher(problem);
            if (bad.find()) {
                return new Syntax(problemAt, "'" + bad.group(1) + "' cannot start a plain value: put the value in quotes");
            }
            if (problem.contains("mapping values are not allowed here") && problemAt != null) {
                String line = line(text, problemAt);
                boolean secondColon = line.substring(0, Math.min(problemAt.getColumn(), line.length())).contains(":");
                return new Syntax(problemAt, secondColon
                        ? "a second ': ' on this line: put the value in quotes, such as run: \"echo a: b\""
                        : "this line is indented deeper than the keys above it: line it up with them, "
                        + "or put the value it continues in quotes");
            }
            if (context.contains("simple key") && problem.contains("could not find expected ':'")) {
                return new Syntax(contextAt, "expected key: value on this line, and it has no ':'");
            }
            if (context.contains("flow") && contextAt != null) {
                String opening = context.contains("sequence") ? "[ ]" : "{ }";
                boolean expression = line(text, contextAt).contains(Value.EXPRESSION_OPEN);
                return new Syntax(contextAt, problem.contains("<stream end>") ? "this " + opening + " is never closed"
                        : "inside " + opening + ", separate items with ',' and quote a value that holds ':'"
                        + (expression ? " or ${{ }}" : "") + " (" + e.getProblem() + " at line " + (problemAt.getLine() + 1) + ")");
            }
            if ((context.contains("block mapping") || context.contains("block collection"))
                    && problem.startsWith("expected <block end>")) {
                return new Syntax(problemAt, "this line is indented out of step with the lines above it: the keys of a "
                        + "mapping, and the items of a list, start in the same column (the block starts at line "
                        + (contextAt.getLine() + 1) + ")");
            }
            return new Syntax(contextAt, (context.isEmpty() ? "" : context + ", ") + problem
                    + (problemAt != null ? " at line " + (problemAt.getLine() + 1) : ""));
        }

        private static String line(String text, Mark mark) {
            return text.lines().skip(mark.getLine()).findFirst().orElse("");
        }
    }

    /** An anchor's value and how many values and characters of text it stands for; value null while it is still being read. */
    private record Anchored(Value value, long values, long text) {}

    /** Builds Values from the parser's events, enforcing depth and expansion as it goes. */
    private static final class Builder {
        private static final Anchored OPEN = new Anchored(null, 0, 0);

        private final ParserImpl parser;
        private final String file;
        private final Problems problems;
        private final Map<String, Anchored> anchors = new HashMap<>();
        /** Values, and characters of text, read so far; each alias counted as everything it repeats. */
        private long values;
        private long text;
        private Mark last;

        Builder(ParserImpl parser, String file, Problems problems) {
            this.parser = parser;
            this.file = file;
            this.problems = problems;
        }

        Value document() {
            next(); // stream start
            if (parser.checkEvent(Event.ID.StreamEnd)) return null;
            next(); // document start
            Value root = node(next(), 1);
            next(); // document end
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                throw fatal(problems, at(file, parser.peekEvent().getStartMark()),
                        "expected a single YAML document, found another one ('---')");
            }
            return root;
        }

        Position lastPosition() {
            return last == null ? new Position(file, 1, 1) : at(file, last);
        }

        private Event next() {
            Event e = parser.getEvent();
            last = e.getStartMark();
            return e;
        }

        private Value node(Event e, int depth) {
            Position pos = at(file, e.getStartMark());
            if (e instanceof AliasEvent alias) return alias(alias, pos);
            long valuesBefore = values;
            long textBefore = text;
            count(pos, 1, e instanceof ScalarEvent scalar ? scalar.getValue().length() : 0);
            NodeEvent ne = (NodeEvent) e;
            if (ne.getAnchor() != null) anchors.put(ne.getAnchor(), OPEN);
            Value v;
            if (e instanceof ScalarEvent s) {
                v = scalar(s, pos);
            } else {
                if (depth > MAX_DEPTH) {
                    throw fatal(problems, pos, "expected at most " + MAX_DEPTH + " levels of nesting, found more");
                }
                checkTag(((CollectionStartEvent) e).getTag(), e instanceof MappingStartEvent ? Tag.MAP : Tag.SEQ, pos);
                v = e instanceof MappingStartEvent ? mapping(pos, depth) : sequence(pos, depth);
            }
            if (ne.getAnchor() != null) anchors.put(ne.getAnchor(), new Anchored(v, values - valuesBefore, text - textBefore));
            return v;
        }

        private Value alias(AliasEvent alias, Position pos) {
            Anchored a = anchors.get(alias.getAnchor());
            if (a == null) {
                throw fatal(problems, pos, "alias *" + alias.getAnchor() + ": expected an anchor &"
                        + alias.getAnchor() + " before it");
            }
            if (a.value() == null) {
                throw fatal(problems, pos, "alias *" + alias.getAnchor()
                        + " is inside the value it names: a value cannot contain itself");
            }
            count(pos, a.values(), a.text());
            return a.value();
        }

        private void count(Position pos, long moreValues, long moreText) {
            values += moreValues;
            text += moreText;
            if (values > MAX_VALUES) {
                throw fatal(problems, pos, "expected at most " + MAX_VALUES
                        + " values in one file, found more (an alias counts as every value it repeats)");
            }
            if (text > MAX_TEXT) {
                throw fatal(problems, pos, "expected at most " + MAX_TEXT + " characters (4 MiB) of text in one file, found "
                        + "more (an alias counts as all the text it repeats: write a large value once, not through many aliases)");
            }
        }

        private Value sequence(Position pos, int depth) {
            List<Value> items = new ArrayList<>();
            while (!parser.checkEvent(Event.ID.SequenceEnd)) items.add(node(next(), depth + 1));
            next();
            return new Value.Sequence(List.copyOf(items), pos);
        }

        private Value mapping(Position pos, int depth) {
            Map<String, Value> entries = new LinkedHashMap<>();
            Map<String, Position> keys = new LinkedHashMap<>();
            while (!parser.checkEvent(Event.ID.MappingEnd)) {
                Event keyEvent = next();
                Position kp = at(file, keyEvent.getStartMark());
                Value key = node(keyEvent, depth + 1);
                Value value = node(next(), depth + 1);
                if (!(key instanceof Value.Scalar ks)) {
                    problems.add(kp, "expected a plain key");
                } else if (keys.containsKey(ks.text())) {
                    problems.add(kp, "duplicate key '" + ks.text() + "' (first at line " + keys.get(ks.text()).line() + ")");
                } else {
                    keys.put(ks.text(), kp);
                    entries.put(ks.text(), value);
                }
            }
            next();
            return new Value.Mapping(entries, keys, pos);
        }

        private Value scalar(ScalarEvent s, Position pos) {
            String text = s.getValue();
            String tag = s.getTag();
            if (tag == null) return new Value.Scalar(text, s.isPlain() ? coreType(text) : text, pos);
            if (!tag.equals("!") && !tag.equals(Tag.STR.getValue())) unsupportedTag(tag, pos);
            return new Value.Scalar(text, text, pos);
        }

        private void checkTag(String tag, Tag standard, Position pos) {
            if (tag != null && !tag.equals("!") && !tag.equals(standard.getValue())) unsupportedTag(tag, pos);
        }

        private void unsupportedTag(String tag, Position pos) {
            String shown = tag.startsWith(Tag.PREFIX) ? "!!" + tag.substring(Tag.PREFIX.length()) : tag;
            problems.add(pos, "tag " + shown + ": expected a plain value (put text in quotes)");
        }
    }
}
