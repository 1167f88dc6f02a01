package dev.lockstep.cli;

import dev.lockstep.runbook.ParamDef;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Problem;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import java.io.Console;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/** {@code -p key=value} and {@code --params-file FILE}. */
final class ParamOptions {
    Map<String, String> params = new LinkedHashMap<>();

    Path paramsFile;

    /** Values given in code (a run's secrets, one runbook's share of them), not on a command line. */
    ParamOptions() {}

    ParamOptions(CommandSpec command) {
        CommandModel.option(command, "-p", "--param").label("KEY=VALUE").description("A parameter value (not for secrets).")
                .bindPairs(() -> params, v -> params = v);
        CommandModel.option(command, "--params-file").label("FILE").description("A YAML file of parameter values; may hold secrets.")
                .bind(Path.class, () -> paramsFile, v -> paramsFile = v);
    }

    /** The file's values already read and narrowed to one runbook's parameters ({@link #only}). */
    private Map<String, Object> narrowedFile;

    Params resolve(Runbook runbook, Cli cli) {
        return cli.masking(Params.resolve(runbook, params, fileValues(), cli.env, ParamOptions::promptSecret));
    }

    /** These options narrowed to the parameters {@code names} (one runbook's, when several are validated). */
    ParamOptions only(Set<String> names, Map<String, Object> fromFile) {
        ParamOptions own = new ParamOptions();
        params.forEach((k, v) -> {
            if (names.contains(k)) own.params.put(k, v);
        });
        own.narrowedFile = new LinkedHashMap<>();
        fromFile.forEach((k, v) -> {
            if (names.contains(k)) own.narrowedFile.put(k, v);
        });
        return own;
    }

    /**
     * The file's values, each the exact text written (a PEM key keeps its lines, 0100 stays
     * 0100); read with the runbook's limits, and every problem reported at its position.
     */
    Map<String, Object> fileValues() {
        if (narrowedFile != null) return narrowedFile;
        if (paramsFile == null) return Map.of();
        Value read = YamlReader.read(paramsFile);
        if (read == null) return Map.of();
        if (!(read instanceof Value.Mapping m)) {
            throw new InvalidRunbookException(List.of(new Problem(read.position(),
                    "expected a mapping of parameter: value, got " + Value.describeOf(read))));
        }
        Problems problems = new Problems();
        Map<String, Object> out = new LinkedHashMap<>();
        m.entries().forEach((name, v) -> {
            if (v instanceof Value.Scalar s) {
                out.put(name, s.value() == null ? null : s.text());
            } else {
                problems.add(v.position(), "parameter " + name + ": expected a single value, got " + Value.describeOf(v));
            }
        });
        problems.throwIfAny();
        return out;
    }

    /** Asks for a missing secret with hidden input when a terminal is attached. */
    static String promptSecret(ParamDef def) {
        Console console = System.console();
        if (console == null || !Terminal.consoleIsTerminal()) return null;
        char[] typed = console.readPassword("%s (secret%s): ", def.name(),
                def.description() != null ? ", " + def.description() : "");
        return typed == null || typed.length == 0 ? null : new String(typed);
    }
}
