package dev.lockstep.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The commands' picocli model, built in code. Picocli's annotations would describe the same model,
 * but reading them was most of start-up: the JDK turns every annotation type into a proxy class
 * generated at run time, which no class-data or AOT archive can hold (85 ms of a 270 ms plan).
 * Help, man pages and completion are generated from this model as before.
 */
final class CommandModel {
    static {
        // picocli's default factory looks for Groovy's Closure class when first used, and a class that is
        // not there is looked for in each of the ~100 jars on the class path: ~30 ms of every start.
        System.setProperty("picocli.disable.closures", "true");
    }

    private CommandModel() {}

    /** A command run by {@code command}. */
    static CommandSpec command(Callable<Integer> command, String name, String description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description);
        HelpSections.install(spec);
        return spec;
    }

    /** -h/--help and -V/--version, last, on {@code command} and every command under it that has no help of its own. */
    static void addHelpOptions(CommandSpec command) {
        if (command.findOption("--help") == null) {
            command.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.")
                    .build());
            command.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                    .description("Print version information and exit.").build());
        }
        for (CommandLine sub : command.subcommands().values()) addHelpOptions(sub.getCommandSpec());
    }

    /** An option of {@code command}; it is added when {@link Arg#bind bound} to where its value goes. */
    static Arg option(CommandSpec command, String... names) {
        return new Arg(command, names, null);
    }

    /** A positional parameter of {@code command} at {@code index} ({@code "0"}, or {@code "0..*"} for all). */
    static Arg positional(CommandSpec command, String index, String label) {
        return new Arg(command, null, index).label(label);
    }

    /** What an option expects, by its label: each of these labels is a path or a URL, and so is every Path value. */
    private static final Map<String, String> EXPECTED = Map.of("FILE", "a file", "DIR", "a folder", "RUNBOOK", "a runbook file",
            "URL", "a URL", "URL|DIR", "a URL or a folder");

    /**
     * Converts a path or URL (as {@code type}), refusing an empty one as usage (exit 2): {@code --endpoint-url ''} or
     * {@code --state-dir "$UNSET"} in a script must not quietly mean the default or the current folder.
     *
     * @param label the value's label ({@code FILE}, {@code URL}), which says what was expected
     */
    static ITypeConverter<Object> nonEmpty(Class<?> type, String label) {
        return text -> {
            if (text.isBlank()) {
                String expected = EXPECTED.getOrDefault(label, "a " + label.toLowerCase(Locale.ROOT));
                throw new CommandLine.TypeConversionException("expected " + expected + ", got an empty value");
            }
            return type == Path.class ? Path.of(text) : text;
        };
    }

    /** An option or positional parameter being described. */
    static final class Arg {
        private final CommandSpec command;
        private final String[] names;
        private final String index;
        private String label;
        private String description;
        private String arity;
        private boolean required;
        private boolean hidden;

        private Arg(CommandSpec command, String[] names, String index) {
            this.command = command;
            this.names = names;
            this.index = index;
        }

        Arg label(String label) {
            this.label = label;
            return this;
        }

        Arg description(String description) {
            this.description = description;
            return this;
        }

        Arg arity(String arity) {
            this.arity = arity;
            return this;
        }

        Arg required() {
            this.required = true;
            return this;
        }

        /** Left out of help, man pages and completion (an old spelling kept only to be refused with a hint). */
        Arg hidden() {
            this.hidden = true;
            return this;
        }

        /** Its value goes through {@code set} (a field of the command); the field's own initial value is the default. */
        <T> void bind(Class<T> type, Supplier<T> get, Consumer<T> set) {
            add(type, new Class<?>[0], new Binding<>(get, set));
        }

        /** Repeatable {@code KEY=VALUE}. */
        void bindPairs(Supplier<Map<String, String>> get, Consumer<Map<String, String>> set) {
            add(Map.class, new Class<?>[] {String.class, String.class}, new Binding<>(get, set));
        }

        /** Repeatable, each value once. */
        void bindSet(Supplier<Set<String>> get, Consumer<Set<String>> set) {
            add(Set.class, new Class<?>[] {String.class}, new Binding<>(get, set));
        }

        /** Several values, in order. */
        <T> void bindList(Class<T> element, Supplier<List<T>> get, Consumer<List<T>> set) {
            add(List.class, new Class<?>[] {element}, new Binding<>(get, set));
        }

        // No initial value for picocli to reset the field to: each command line gets new command objects.
        private void add(Class<?> type, Class<?>[] elements, Binding<?> binding) {
            String[] text = description == null ? new String[0] : new String[] {description};
            Class<?> valueType = elements.length == 1 ? elements[0] : type;
            boolean pathOrUrl = valueType == Path.class || (valueType == String.class && EXPECTED.containsKey(label));
            ITypeConverter<?>[] converters = pathOrUrl ? new ITypeConverter<?>[] {nonEmpty(valueType, label)}
                    : new ITypeConverter<?>[0];
            if (names != null) {
                OptionSpec.Builder b = OptionSpec.builder(names).type(type).auxiliaryTypes(elements).description(text)
                        .required(required).hidden(hidden).getter(binding).setter(binding).hasInitialValue(false)
                        .converters(converters);
                if (label != null) b.paramLabel(label);
                if (arity != null) b.arity(arity);
                command.addOption(b.build());
            } else {
                // A parameter is required unless its arity allows none, as picocli's annotations have it.
                boolean needed = required || arity == null || CommandLine.Range.valueOf(arity).min() > 0;
                PositionalParamSpec.Builder b = PositionalParamSpec.builder().index(index).type(type).auxiliaryTypes(elements)
                        .description(text).required(needed).getter(binding).setter(binding).hasInitialValue(false)
                        .converters(converters);
                if (label != null) b.paramLabel(label);
                if (arity != null) b.arity(arity);
                command.addPositional(b.build());
            }
        }
    }

    /** Picocli's getter and setter are generic methods, so no lambda can be one. */
    private static final class Binding<V> implements IGetter, ISetter {
        private final Supplier<V> get;
        private final Consumer<V> set;

        Binding(Supplier<V> get, Consumer<V> set) {
            this.get = get;
            this.set = set;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) get.get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            T old = get();
            set.accept((V) value);
            return old;
        }
    }
}
