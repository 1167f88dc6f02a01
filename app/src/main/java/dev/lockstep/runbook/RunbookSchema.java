package dev.lockstep.runbook;

import dev.lockstep.expr.Root;
import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.reflect.RecordShape;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON Schema (draft 2020-12) of runbook format v1, with each step type's {@code with} keys. */
public final class RunbookSchema {
    /** Names this schema (format v1); editors and validators key on it. */
    public static final String ID = "urn:lockstep:schema:runbook:1";

    private RunbookSchema() {}

    public static Map<String, Object> of(StepTypes types, Contexts contexts) {
        Map<String, Object> defs = new LinkedHashMap<>();
        defs.put("expression", desc("An expression, resolved before the step runs: " + Root.examples(), Map.of("type", "string", "pattern", "\\$\\{\\{.*\\}\\}")));
        defs.put("duration", desc("Such as 30s, 5m, 1h30m or 500ms", Map.of("type", "string",
                "pattern", "^" + Durations.FORMAT + "$")));
        defs.put("param", object(Map.of(
                "default", desc("Value used when none is given", Map.of()),
                "required", typed("boolean", "Must be given (default: true when there is no default)"),
                "secret", typed("boolean", "Never written anywhere in clear; given by environment variable or params file"),
                "pattern", typed("string", "Regular expression the whole value must match"),
                "description", typed("string", "Shown to the operator"),
                "env", typed("string", "Environment variable to read the value from")), List.of()));
        Map<String, Object> expect = desc("Result paths and the value (or list of allowed values) each must have",
                Map.of("type", "object"));
        List<Object> usesCases = new ArrayList<>();
        for (StepType<?> t : types.all().values()) {
            defs.put("with." + t.name(), withSchema(t));
            usesCases.add(Map.of("if", Map.of("properties", Map.of("uses", Map.of("const", t.name())), "required", List.of("uses")),
                    "then", Map.of("properties", Map.of("with", Map.of("$ref", "#/$defs/with." + t.name())))));
        }
        Map<String, Object> actionProps = new LinkedHashMap<>();
        actionProps.put("uses", Map.of("enum", new ArrayList<>(types.all().keySet()), "description", "The step type"));
        actionProps.put("run", typed("string", "Shell script (shorthand for uses: run)"));
        actionProps.put("with", typed("object", "The step type's arguments"));
        Map<String, Object> action = object(actionProps, List.of());
        action.put("allOf", usesCases);
        defs.put("action", action);

        Map<String, Object> checkProps = new LinkedHashMap<>(actionProps);
        checkProps.put("name", typed("string", "What every message about this check calls it"));
        checkProps.put("expect", expect);
        checkProps.put("readOnly", typed("boolean", "Safe to run during dry-run"));
        Map<String, Object> check = object(checkProps, List.of());
        check.put("allOf", usesCases);
        defs.put("check", check);

        Map<String, Object> stepProps = new LinkedHashMap<>(actionProps);
        stepProps.put("id", Map.of("type", "string", "pattern", "^" + RunbookLoader.STEP_ID.pattern() + "$"));
        stepProps.put("title", typed("string", "One line shown in the step list"));
        stepProps.put("description", typed("string", "Markdown, shown in the UI"));
        stepProps.put("check", Map.of("type", "array", "items", Map.of("$ref", "#/$defs/check"),
                "description", "Preconditions; all must hold before the step runs"));
        stepProps.put("outputs", Map.of("type", "object",
                "additionalProperties", Map.of("type", List.of("string", "number", "integer", "boolean", "null")),
                "description", "Values later steps read as steps.ID.outputs.NAME; may use ${{ result.… }}"));
        stepProps.put("rollback", Map.of("$ref", "#/$defs/action"));
        stepProps.put("confirm", Map.of("type", List.of("boolean", "string"),
                "description", "true, or the text the operator must type to proceed"));
        stepProps.put("approve", Map.of("type", "object", "additionalProperties", false,
                "description", "Four eyes: the step runs only after others approved its resolved plan (lockstep approve RUN STEP)",
                "properties", Map.of("count", Map.of("type", "integer", "minimum", 1, "description", "Approvals needed (default 1)"),
                        "from", Map.of("type", "array", "minItems", 1, "uniqueItems", true, "items", Map.of("type", "string"),
                                "description", "Who may approve: database roles on a shared store, OS users on a folder; default anyone"),
                        "notDriver", typed("boolean", "The driver's own identity may not approve"),
                        "message", typed("string", "Shown to the approvers"))));
        stepProps.put("timeout", ref("duration"));
        stepProps.put("retry", Map.of("oneOf", List.of(Map.of("type", "integer", "minimum", 1),
                object(Map.of("attempts", Map.of("type", "integer", "minimum", 1), "delay", ref("duration")),
                        List.of("attempts")))));
        stepProps.put("idempotent", typed("boolean", "Safe to run again if it was in flight when the run stopped"));
        stepProps.put("irreversible", typed("boolean", "true: no rollback can restore the world after this step (it is the point "
                + "of no return unless an earlier step is); false: it leaves nothing a rollback must undo, rollback or not"));
        Map<String, Object> every = object(Map.of(
                "lines", typed("string", "Regex: the shape of the lines the rule is about (a count line)"),
                "must", typed("string", "Regex: what each of those lines must also match ([OK])")), List.of("lines", "must"));
        stepProps.put("logs", object(Map.of(
                "haltOn", Map.of("oneOf", List.of(Map.of("type", "string"), Map.of("type", "array", "items", Map.of("type", "string"))),
                        "description", "Regexes: a matching output line halts the run"),
                "until", typed("string", "Regex: a matching output line ends the step successfully"),
                "require", Map.of("oneOf", List.of(Map.of("type", "string"), Map.of("type", "array", "items", Map.of("type", "string"))),
                        "description", "Regexes: each must match an output line before the step ends, else the run halts"),
                "every", Map.of("oneOf", List.of(every, Map.of("type", "array", "items", every)),
                        "description", "Every output line matching lines must also match must, else the run halts")),
                List.of()));
        Map<String, Object> step = object(stepProps, List.of("id"));
        step.put("allOf", usesCases);
        defs.put("step", step);

        Map<String, Object> props = new LinkedHashMap<>();
        props.put("lockstep", Map.of("const", RunbookLoader.FORMAT_VERSION, "description", "Format version"));
        props.put("name", Map.of("type", "string", "pattern", "^" + RunbookLoader.NAME.pattern() + "$"));
        props.put("title", typed("string", "Shown in the header"));
        props.put("description", typed("string", "Markdown, shown in the UI"));
        Map<String, Object> contextProps = new LinkedHashMap<>();
        for (ContextKind<?> k : contexts.all().values()) {
            Map<String, Object> s = record(k.configType(), Set.of());
            s.put("description", "Where the runbook may act. Example:\n" + k.example());
            contextProps.put(k.name(), s);
        }
        props.put("context", object(contextProps, List.of()));
        props.put("params", Map.of("type", "object", "additionalProperties",
                Map.of("oneOf", List.of(Map.of("$ref", "#/$defs/param"), Map.of("type", "null")))));
        props.put("steps", Map.of("type", "array", "minItems", 1, "items", Map.of("$ref", "#/$defs/step")));
        props.put("rollback", Map.of("type", "array", "items", Map.of("$ref", "#/$defs/action"),
                "description", "Runs after the steps' own rollbacks"));
        props.put("pointOfNoReturn", typed("string", "The id of the first step after which rolling back cannot restore the world; "
                + "validate and plan say when lockstep computes another"));
        Map<String, Object> downtime = object(Map.of("from", Map.of("type", "string"), "to", Map.of("type", "string"),
                "window", ref("duration")), List.of("from", "to"));
        downtime.put("description", "The service is down from step `from`'s start until step `to` has succeeded; "
                + "`window` is what the change window allows");
        props.put("downtime", downtime);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", ID);
        root.put("title", "lockstep runbook (format v" + RunbookLoader.FORMAT_VERSION + ")");
        root.putAll(object(props, List.of("lockstep", "name", "steps")));
        root.put("$defs", defs);
        return root;
    }

    private static Map<String, Object> withSchema(StepType<?> t) {
        Map<String, Object> s = record(t.configType(), t.shellKeys());
        s.put("description", "with: for " + t.name() + ". Example:\n" + t.example());
        return s;
    }

    /** A configuration record's keys; {@code notRequired} are filled by other means (run: is a step's script). */
    private static Map<String, Object> record(Class<? extends Record> type, Set<String> notRequired) {
        Map<String, Object> props = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (RecordComponent c : RecordShape.of(type).components()) {
            Key key = c.getAnnotation(Key.class);
            props.put(c.getName(), value(c, key != null ? key.value() : c.getName()));
            if (key != null && key.required() && !notRequired.contains(c.getName())) required.add(c.getName());
        }
        return object(props, required);
    }

    /**
     * A configuration key's schema. Where the key takes a number, a boolean or a duration, an
     * expression is allowed too: it is resolved, then checked, before the step runs.
     */
    private static Map<String, Object> value(RecordComponent c, String description) {
        // A key that takes YAML as written (a Kubernetes object, or a list of them) takes any value.
        if (c.getType() == Value.class) return desc(description, Map.of());
        if (c.getType() == Duration.class) return desc(description, Map.of("anyOf", List.of(ref("duration"), ref("expression"))));
        String type = ConfigBinder.schemaType(c);
        if (type.equals("array")) {
            // One item stands for a list of one.
            return desc(description, Map.of("anyOf", List.of(Map.of("type", "array"),
                    Map.of("type", List.of("string", "number", "boolean", "object")))));
        }
        if (type.equals("integer") || type.equals("boolean") || type.equals("number")) {
            return desc(description, Map.of("anyOf", List.of(Map.of("type", type), ref("expression"))));
        }
        return typed(type, description);
    }

    private static Map<String, Object> ref(String def) {
        return Map.of("$ref", "#/$defs/" + def);
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", properties);
        if (!required.isEmpty()) s.put("required", required);
        s.put("additionalProperties", false);
        return s;
    }

    private static Map<String, Object> typed(String type, String description) {
        return desc(description, Map.of("type", type));
    }

    private static Map<String, Object> desc(String description, Map<String, Object> base) {
        Map<String, Object> s = new LinkedHashMap<>(base);
        s.put("description", description);
        return s;
    }
}
