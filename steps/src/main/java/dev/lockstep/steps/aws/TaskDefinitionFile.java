package dev.lockstep.steps.aws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.UserFiles;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

/**
 * Reads an ECS task definition written as for {@code aws ecs register-task-definition
 * --cli-input-json} (JSON, or the same in YAML), resolves {@code ${{ }}} in every string
 * value (never in the text as a whole, so a value cannot break the document), and
 * builds the request. Unknown keys are errors.
 */
final class TaskDefinitionFile {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private TaskDefinitionFile() {}

    static RegisterTaskDefinitionRequest read(Path file, StepContext ctx) throws IOException {
        Object tree;
        if (file.toString().endsWith(".json")) {
            tree = Json.parse(UserFiles.readString(file, YamlReader.MAX_BYTES));
        } else {
            // Read as a runbook is (bounded, and every problem at its line), each value as the text written:
            // an environment value no or 0755 stays so, and Jackson turns "512" into a number where ECS wants one.
            try {
                Value read = YamlReader.read(file);
                tree = read == null ? null : asWritten(read);
            } catch (LockstepException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        if (!(tree instanceof Map<?, ?>)) throw new IOException(file + ": expected a task definition object");
        Object resolved = resolve(tree, ctx);
        try {
            Object builder = MAPPER.convertValue(resolved, RegisterTaskDefinitionRequest.serializableBuilderClass());
            return ((RegisterTaskDefinitionRequest.Builder) builder).build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage().split("\n")[0], e);
        }
    }

    private static Object asWritten(Value v) {
        if (v instanceof Value.Scalar s) return s.value() == null ? null : s.text();
        if (v instanceof Value.Sequence seq) return seq.items().stream().map(TaskDefinitionFile::asWritten).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        ((Value.Mapping) v).entries().forEach((k, x) -> out.put(k, asWritten(x)));
        return out;
    }

    private static Object resolve(Object v, StepContext ctx) {
        if (v instanceof String s) return s.contains("${{") ? ctx.resolve(s) : s;
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), resolve(x, ctx)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(resolve(x, ctx));
            return out;
        }
        return v;
    }
}
