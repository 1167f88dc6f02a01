package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.ParamDef;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.io.Console;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Option;

/** {@code -p key=value} and {@code --params-file FILE}. */
final class ParamOptions {
    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE", description = "A parameter value (not for secrets).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--params-file", paramLabel = "FILE", description = "A YAML file of parameter values; may hold secrets.")
    Path paramsFile;

    Params resolve(Runbook runbook, Cli cli) {
        return cli.masking(Params.resolve(runbook, params, fileValues(), cli.env, ParamOptions::promptSecret));
    }

    Map<String, Object> fileValues() {
        if (paramsFile == null) return Map.of();
        try (Reader r = Files.newBufferedReader(paramsFile)) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (loaded == null) return Map.of();
            if (!(loaded instanceof Map<?, ?> m)) {
                throw new LockstepException(ErrorCode.USAGE, paramsFile + ": expected a mapping of parameter: value");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read params file " + paramsFile + ": " + e.getMessage());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new LockstepException(ErrorCode.USAGE, paramsFile + ": not valid YAML");
        }
    }

    /** Asks for a missing secret with hidden input when a terminal is attached. */
    static String promptSecret(ParamDef def) {
        Console console = System.console();
        if (console == null) return null;
        char[] typed = console.readPassword("%s (secret%s): ", def.name(),
                def.description() != null ? ", " + def.description() : "");
        return typed == null || typed.length == 0 ? null : new String(typed);
    }
}
