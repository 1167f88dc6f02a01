package dev.lockstep.steps.aws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.json.Json;
import dev.lockstep.step.StepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
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
        String text = Files.readString(file);
        Object tree = file.toString().endsWith(".json") ? Json.parse(text)
                : new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        if (!(tree instanceof Map<?, ?>)) throw new IOException(file + ": expected a task definition object");
        Object resolved = resolve(tree, ctx);
        try {
            Object builder = MAPPER.convertValue(resolved, RegisterTaskDefinitionRequest.serializableBuilderClass());
            return ((RegisterTaskDefinitionRequest.Builder) builder).build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage().split("\n")[0], e);
        }
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
