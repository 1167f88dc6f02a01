package dev.lockstep.expr;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The functions expressions may call. Few on purpose: each is a value transformation a
 * runbook cannot do safely in text (a password put inside a URL must be percent-encoded).
 */
public final class Functions {
    /** A function: how many arguments it takes, what it does (for messages and docs/runbook-reference.md), and how. */
    public record Fn(int arity, String description, Function<List<Object>, Object> apply) {}

    public static final Map<String, Fn> ALL = Map.of(
            "urlencode", new Fn(1, "percent-encodes a value for a URL: everything but letters, digits and -._~",
                    args -> urlencode(Resolver.render(args.get(0)))));

    /**
     * Not a function of {@link #ALL}: inside a step type's code ({@link dev.lockstep.spi.CodeKey}) it
     * marks a name the type quotes as an identifier of that language; anywhere else it is unknown.
     */
    public static final String IDENT = "ident";

    private Functions() {}

    /** RFC 3986 percent-encoding: safe in a user, a password, a path segment and a query value alike. */
    static String urlencode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
