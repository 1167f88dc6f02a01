package dev.lockstep.steps.kube;

import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.ResolutionException;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes objects as a runbook gives them: inline under {@code with} (resolved by the
 * engine, value by value), or in YAML files beside the runbook, read as runbooks are (bounded,
 * YAML 1.2 values, every problem at its {@code file:line:col}), several documents to a file
 * separated by {@code ---}. {@code ${{ }}} in a file's values is resolved per value, never in the
 * text, so a value can never change the document's structure; inside a container's shell script
 * ({@code sh -c}) it is refused, as a value there would become shell code.
 */
final class Manifests {
    /** One object and where it was written. */
    record Manifest(Map<String, Object> object, Position at) {
        String apiVersion() {
            return (String) object.get("apiVersion");
        }

        String kind() {
            return (String) object.get("kind");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            return (Map<String, Object>) object.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
        }

        String name() {
            return (String) metadata().get("name");
        }

        String namespace() {
            return (String) metadata().get("namespace");
        }

        String describe() {
            return kind() + "/" + name();
        }
    }

    /** A shell whose {@code -c} argument is a script (sh, /bin/bash, busybox's ash, ...). */
    private static final Pattern SHELL = Pattern.compile("(.*/)?(sh|bash|dash|ash|zsh|ksh)");
    /** {@code -c} alone or among other one-letter options ({@code -ec}, {@code -euxc}). */
    private static final Pattern SCRIPT_OPTION = Pattern.compile("-[a-z]*c[a-z]*");

    private Manifests() {}

    /**
     * Adds a problem for each {@code ${{ }}} inside a container's shell script ({@code command}/{@code args}
     * running {@code sh -c SCRIPT}): the value would be pasted into shell code run in the container.
     */
    static void checkScripts(Value v, Problems problems) {
        if (v instanceof Value.Sequence seq) {
            seq.items().forEach(i -> checkScripts(i, problems));
            return;
        }
        if (!(v instanceof Value.Mapping m)) return;
        List<Value> argv = new ArrayList<>();
        for (String key : List.of("command", "args")) {
            if (m.get(key) instanceof Value.Sequence seq) argv.addAll(seq.items());
        }
        if (!argv.isEmpty() && argv.get(0) instanceof Value.Scalar shell && shell.value() instanceof String name
                && SHELL.matcher(name).matches()) {
            for (int i = 1; i + 1 < argv.size(); i++) {
                if (argv.get(i) instanceof Value.Scalar option && option.value() instanceof String o && SCRIPT_OPTION.matcher(o).matches()
                        && argv.get(i + 1) instanceof Value.Scalar script && script.value() instanceof String text
                        && text.contains(Value.EXPRESSION_OPEN)) {
                    problems.add(script.position(), "a ${{ }} inside the container's shell script (" + name + " " + o + ") would be "
                            + "pasted into shell code: give the value to the container in env: [{ name: NAME, value: \"${{ … }}\" }] "
                            + "and write \"$NAME\" in the script");
                    break;
                }
            }
        }
        m.entries().values().forEach(x -> checkScripts(x, problems));
    }

    /**
     * When the runbook loads: the shell scripts of the objects written inline under {@code inlineKey} and of
     * the files under {@code filesKey} named literally (their other problems wait until they are read).
     */
    static void checkScripts(Value.Mapping with, String inlineKey, String filesKey, Path folder, Problems problems) {
        if (with.get(inlineKey) != null) checkScripts(with.get(inlineKey), problems);
        Value files = with.get(filesKey);
        for (Value f : files instanceof Value.Sequence seq ? seq.items() : files == null ? List.<Value>of() : List.of(files)) {
            if (f instanceof Value.Scalar s && s.value() instanceof String name && !s.holdsExpression()) {
                checkScriptsInFile(folder, name, problems);
            }
        }
    }

    private static void checkScriptsInFile(Path dir, String name, Problems problems) {
        Path file = dir.resolve(name).normalize();
        if (!Files.isRegularFile(file)) return;
        String text;
        try {
            text = YamlReader.decode(YamlReader.readBytes(file), file.toString());
        } catch (RuntimeException e) {
            return;
        }
        for (String document : documents(text)) {
            Value v = YamlReader.parse(document, file.toString(), new Problems());
            if (v != null) checkScripts(v, problems);
        }
    }

    /** Checks the shape of inline objects at load: each a mapping with apiVersion, kind and metadata.name. */
    static void checkInline(Value v, String key) {
        for (Value item : v instanceof Value.Sequence s ? s.items() : List.of(v)) {
            String problem = problem(item);
            if (problem != null) throw new IllegalArgumentException(key + " (" + item.position().line() + ":" + item.position().column() + "): " + problem);
        }
    }

    /** The inline objects, already resolved by the engine. */
    static List<Manifest> inline(Value v) {
        List<Manifest> out = new ArrayList<>();
        for (Value item : v instanceof Value.Sequence s ? s.items() : List.of(v)) out.add(manifest(item, null));
        return out;
    }

    /** The objects of a file beside the runbook, values resolved one by one; problems thrown with their position. */
    static List<Manifest> file(Path dir, String name, StepContext ctx) {
        Path file = dir.resolve(name).normalize();
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("manifest file " + file + " does not exist");
        String text = YamlReader.decode(YamlReader.readBytes(file), file.toString());
        List<Manifest> out = new ArrayList<>();
        for (String document : documents(text)) {
            Problems problems = new Problems();
            Value v = YamlReader.parse(document, file.toString(), problems);
            if (v != null) checkScripts(v, problems);
            problems.throwIfAny();
            if (v == null) continue;
            for (Value item : v instanceof Value.Sequence s ? s.items() : List.of(v)) out.add(manifest(item, ctx));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no Kubernetes object in it");
        return out;
    }

    /**
     * The documents of a stream, each padded with the lines before it, so a problem in the third
     * document is reported at its line in the file.
     */
    static List<String> documents(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 0;
        for (String l : text.split("\n", -1)) {
            if (l.matches("---(\\s.*)?") || l.equals("...")) {
                out.add(current.toString());
                current = new StringBuilder("\n".repeat(line + 1));
            } else {
                current.append(l).append('\n');
            }
            line++;
        }
        out.add(current.toString());
        return out;
    }

    private static Manifest manifest(Value item, StepContext ctx) {
        String problem = problem(item);
        if (problem != null) throw new LockstepException(dev.lockstep.spi.ErrorCode.INVALID_RUNBOOK, item.position() + ": " + problem);
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) plain(item, ctx);
        return new Manifest(object, item.position());
    }

    private static String problem(Value item) {
        if (!(item instanceof Value.Mapping m)) return "expected a Kubernetes object (a mapping with apiVersion, kind, metadata), got " + Value.describeOf(item);
        for (String k : List.of("apiVersion", "kind")) {
            if (!(m.get(k) instanceof Value.Scalar s) || s.value() == null) return "the object has no " + k;
        }
        if (!(m.get("metadata") instanceof Value.Mapping meta) || !(meta.get("name") instanceof Value.Scalar n) || n.value() == null) {
            return "the object has no metadata.name";
        }
        return null;
    }

    /** Plain values, each string's expressions resolved on its own (a lone expression keeps its type). */
    private static Object plain(Value v, StepContext ctx) {
        if (v instanceof Value.Scalar s) {
            if (ctx != null && s.value() instanceof String text && text.contains(Value.EXPRESSION_OPEN)) {
                try {
                    return ctx.resolve(text);
                } catch (ResolutionException | IllegalArgumentException e) {
                    throw new LockstepException(dev.lockstep.spi.ErrorCode.INVALID_RUNBOOK, s.position() + ": " + e.getMessage());
                }
            }
            return s.value();
        }
        if (v instanceof Value.Sequence seq) {
            List<Object> out = new ArrayList<>();
            for (Value x : seq.items()) out.add(plain(x, ctx));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Value.Mapping) v).entries().forEach((k, x) -> out.put(k, plain(x, ctx)));
        return out;
    }
}
