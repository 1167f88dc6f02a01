package dev.lockstep.spi;

import java.util.function.Function;

/**
 * One command-line option of a {@link ContextKind}, such as {@code --region REGION}. Its
 * value is kept in the settings under {@code key}; {@code problem} says what is wrong with
 * a value (null when it is fine), which the command line reports as a usage error.
 */
public record ContextOption(String name, String key, String label, String description, Function<String, String> problem) {
    public static ContextOption of(String name, String key, String label, String description) {
        return new ContextOption(name, key, label, description, v -> null);
    }
}
