package dev.lockstep.expr;

import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A string that may hold {@code ${{ path }}} expressions. Paths are dotted names:
 * {@code params.x}, {@code steps.ID.outputs.y}, {@code env.X}, {@code result.a.b}.
 */
public final class Template {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");
    public static final String OPEN = Value.EXPRESSION_OPEN;
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

    /**
     * What is inside {@code ${{ }}}: a dotted path ({@code params.stack}), or a function applied to
     * expressions ({@code urlencode(params.db_password)}, see {@link Functions}).
     */
    public record Expression(List<String> path, String function, List<Expression> args) {
        private static final Pattern CALL = Pattern.compile("([a-z][A-Za-z0-9]*)\\s*\\((.*)\\)", Pattern.DOTALL);

        static Expression parse(String inner) {
            String text = inner.strip();
            if (text.isEmpty()) {
                throw new ExpressionException("a name inside ${{ }}, such as params.stack");
            }
            java.util.regex.Matcher call = CALL.matcher(text);
            if (call.matches()) {
                List<Expression> args = new ArrayList<>();
                for (String arg : splitArguments(call.group(2), text)) args.add(parse(arg));
                return new Expression(null, call.group(1), List.copyOf(args));
            }
            if (text.indexOf('(') >= 0 || text.indexOf(')') >= 0) {
                throw new ExpressionException("a function call such as urlencode(params.password), with balanced parentheses, "
                        + "got '" + text + "'");
            }
            String[] segments = text.split("\\.", -1);
            for (String s : segments) {
                if (!SEGMENT.matcher(s).matches()) {
                    throw new ExpressionException(
                            "a dotted name such as params.stack or steps.ID.outputs.NAME, or a function such as "
                                    + "urlencode(params.password), got '" + text + "'");
                }
            }
            return new Expression(List.of(segments), null, List.of());
        }

        /** Splits a call's arguments at the commas that are not inside nested parentheses. */
        private static List<String> splitArguments(String args, String whole) {
            List<String> out = new ArrayList<>();
            if (args.isBlank()) return out;
            int depth = 0;
            int from = 0;
            for (int i = 0; i < args.length(); i++) {
                char c = args.charAt(i);
                if (c == '(') depth++;
                if (c == ')' && --depth < 0) throw new ExpressionException("balanced parentheses, got '" + whole + "'");
                if (c == ',' && depth == 0) {
                    out.add(args.substring(from, i));
                    from = i + 1;
                }
            }
            if (depth != 0) throw new ExpressionException("balanced parentheses, got '" + whole + "'");
            out.add(args.substring(from));
            return out;
        }

        public boolean isCall() {
            return function != null;
        }

        /** The first name of a path ({@code params}), or the function's name. */
        public String root() {
            return isCall() ? function : path.get(0);
        }

        @Override
        public String toString() {
            if (isCall()) return function + "(" + String.join(", ", args.stream().map(Expression::toString).toList()) + ")";
            return String.join(".", path);
        }
    }
}
