package dev.lockstep.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A string that may hold {@code ${{ path }}} expressions. Paths are dotted names:
 * {@code params.x}, {@code steps.ID.outputs.y}, {@code env.X}, {@code result.a.b}.
 */
public final class Template {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");
    public static final String OPEN = "${{";
    private static final String CLOSE = "}}";

    /** A literal piece of text, or an expression; exactly one of the two is set. */
    public record Part(String literal, Expression expression) {}

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    public static boolean hasExpression(String text) {
        return text != null && text.contains(OPEN);
    }

    /** Parses text; throws {@link ExpressionException} describing what was expected. */
    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = text.indexOf(OPEN, at);
            if (open < 0) {
                if (at < text.length()) parts.add(new Part(text.substring(at), null));
                return new Template(text, List.copyOf(parts));
            }
            if (open > at) parts.add(new Part(text.substring(at, open), null));
            int close = text.indexOf(CLOSE, open + OPEN.length());
            if (close < 0) {
                throw new ExpressionException("'}}' to close the expression opened at offset " + open);
            }
            String inner = text.substring(open + OPEN.length(), close).trim();
            parts.add(new Part(null, Expression.parse(inner)));
            at = close + CLOSE.length();
        }
    }

    public String source() {
        return source;
    }

    public List<Part> parts() {
        return parts;
    }

    public List<Expression> expressions() {
        return parts.stream().filter(p -> p.expression() != null).map(Part::expression).toList();
    }

    /** True when the whole text is one expression, whose value keeps its type. */
    public boolean isSingleExpression() {
        return parts.size() == 1 && parts.get(0).expression() != null;
    }

    /** A dotted path inside {@code ${{ }}}. */
    public record Expression(List<String> path) {
        static Expression parse(String inner) {
            if (inner.isEmpty()) {
                throw new ExpressionException("a name inside ${{ }}, such as params.stack");
            }
            String[] segments = inner.split("\\.", -1);
            for (String s : segments) {
                if (!SEGMENT.matcher(s).matches()) {
                    throw new ExpressionException(
                            "a dotted name such as params.stack or steps.ID.outputs.NAME, got '" + inner + "'");
                }
            }
            return new Expression(List.of(segments));
        }

        public String root() {
            return path.get(0);
        }

        @Override
        public String toString() {
            return String.join(".", path);
        }
    }
}
