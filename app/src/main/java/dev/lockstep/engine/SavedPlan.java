package dev.lockstep.engine;

import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.Digests;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The plan document: what was reviewed, as data (Terraform's plan, for runbooks). Every step and
 * action with its type, the script exactly as it runs and its environment, its checks and what they
 * observed, its confirmation, halt conditions and limits, its rollback as it will run, the change set
 * where there is one, and the verdict of each step. {@code plan --output json} prints it; a saved plan
 * ({@link PlanFile}) holds it; {@code run --plan} derives it again and compares the two.
 *
 * <p>It holds nothing derived from a secret: a secret parameter is only marked as one (its digest
 * is kept in the state store, see {@link PlanFile}), and secrets in values are masked. It holds no
 * time and no random number, so the same inputs give the same bytes in any process.
 */
public final class SavedPlan {
    public static final int FORMAT = 3;
    /** Keys that record what was observed, not what will run: a run compares everything else. */
    private static final Set<String> OBSERVATIONS = Set.of("status", "observed");

    private final Map<String, Object> document;

    private SavedPlan(Map<String, Object> document) {
        this.document = document;
    }

    public static SavedPlan of(Runbook runbook, Params params, Targets targets, Planner.Plan plan, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("lockstepPlan", FORMAT);
        doc.put("lockstep", version);
        Map<String, Object> rb = new LinkedHashMap<>();
        rb.put("name", runbook.name());
        rb.put("path", runbook.file().toString());
        rb.put("sha256", runbook.checksum());
        doc.put("runbook", rb);
        doc.put("parameters", parameters(params));
        doc.put("target", targets.describe());
        List<Object> steps = new ArrayList<>();
        for (Planner.StepPlan s : plan.steps()) steps.add(step(s));
        doc.put("steps", steps);
        List<Object> rollback = new ArrayList<>();
        for (Planner.RollbackAction r : plan.rollback()) rollback.add(rollback(r));
        doc.put("rollback", rollback);
        doc.put("withoutRollback", plan.withoutRollback());
        doc.put("pointOfNoReturn", plan.pointOfNoReturn().json());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", plan.steps().size());
        summary.put("checked", plan.steps().size() - plan.wouldHalt().size() - plan.wouldFail().size() - plan.notChecked().size());
        summary.put("wouldHalt", ids(plan.wouldHalt()));
        summary.put("wouldFail", ids(plan.wouldFail()));
        summary.put("notChecked", ids(plan.notChecked()));
        doc.put("summary", summary);
        return new SavedPlan(doc);
    }

    /** Each parameter's value in clear, or only that it is (or holds) a secret. */
    private static Map<String, Object> parameters(Params params) {
        Map<String, Object> ps = new LinkedHashMap<>();
        List<String> secret = params.secretNames();
        List<String> holding = params.maskedNames();
        params.values().forEach((name, value) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            if (value != null && secret.contains(name)) p.put("secret", true);
            else if (value != null && holding.contains(name)) p.put("holdsSecret", true);
            else p.put("value", value == null ? null : String.valueOf(value));
            ps.put(name, p);
        });
        return ps;
    }

    private static List<String> ids(List<Planner.StepPlan> steps) {
        return steps.stream().map(Planner.StepPlan::id).toList();
    }

    private static Map<String, Object> step(Planner.StepPlan s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("title", s.title());
        m.put("uses", s.uses());
        m.put("action", s.action() == null ? null : s.action().json());
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("kind", s.verdict().kind().name());
        verdict.put("reason", s.verdict().reason());
        m.put("verdict", verdict);
        List<Object> checks = new ArrayList<>();
        for (Planner.CheckPlan c : s.checks()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("uses", c.uses());
            cm.put("readOnly", c.readOnly());
            cm.put("expect", c.expect());
            cm.put("action", c.action() == null ? null : c.action().json());
            cm.put("status", c.status().name());
            cm.put("observed", c.observed());
            checks.add(cm);
        }
        m.put("checks", checks);
        if (s.confirm() == null) {
            m.put("confirm", null);
        } else {
            Map<String, Object> confirm = new LinkedHashMap<>();
            confirm.put("kind", s.confirm().typed() ? "typed" : "yes");
            confirm.put("value", s.confirm().value());
            m.put("confirm", confirm);
        }
        Map<String, Object> logs = new LinkedHashMap<>();
        logs.put("haltOn", s.logs().haltOn());
        logs.put("until", s.logs().until());
        logs.put("require", s.logs().require());
        logs.put("every", s.logs().every());
        m.put("logs", logs);
        m.put("timeout", s.limits().timeout());
        Map<String, Object> retry = new LinkedHashMap<>();
        retry.put("attempts", s.limits().attempts());
        retry.put("delay", s.limits().retryDelay());
        m.put("retry", retry);
        m.put("idempotent", s.limits().idempotent());
        m.put("outputs", s.outputs());
        m.put("rollback", s.rollback() == null ? null : rollback(s.rollback()));
        return m;
    }

    private static Map<String, Object> rollback(Planner.RollbackAction r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("undoes", r.subject());
        m.put("uses", r.uses());
        m.put("lines", r.actions());
        return m;
    }

    /** The document that {@code source} holds; refused (usage, exit 2) when it is not one. */
    static SavedPlan parse(Object parsed, String source) {
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("lockstepPlan") instanceof Number n)) {
            throw PlanFile.notAPlan(source, "it has no lockstepPlan format number");
        }
        if (n.intValue() != FORMAT) {
            throw PlanFile.notAPlan(source, "its format is " + n + ", and this lockstep reads format " + FORMAT);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) m;
        for (String key : List.of("lockstep", "runbook", "parameters", "target", "steps", "rollback")) {
            if (!doc.containsKey(key)) throw PlanFile.notAPlan(source, "it lacks '" + key + "'");
        }
        if (!(doc.get("steps") instanceof List<?>) || !(doc.get("parameters") instanceof Map<?, ?>)
                || !(doc.get("runbook") instanceof Map<?, ?>)) {
            throw PlanFile.notAPlan(source, "its steps, parameters or runbook are not what a plan holds");
        }
        return new SavedPlan(doc);
    }

    public Map<String, Object> document() {
        return document;
    }

    /** The document as {@code plan --output json} prints it and a plan file holds it. */
    public String json() {
        return Json.pretty(document);
    }

    public String runbookName() {
        return String.valueOf(map(document.get("runbook")).get("name"));
    }

    public String runbookPath() {
        return String.valueOf(map(document.get("runbook")).get("path"));
    }

    /** Steps the reviewed plan said would fail or halt: a run from it needs them accepted by name. */
    public List<String> wouldNotPass() {
        List<String> out = new ArrayList<>();
        for (Object o : list(document.get("steps"))) {
            Map<String, Object> s = map(o);
            Object kind = map(s.get("verdict")).get("kind");
            if ("WOULD_FAIL".equals(kind) || "WOULD_HALT".equals(kind)) out.add(String.valueOf(s.get("id")));
        }
        return out;
    }

    /** The values of the parameters that were written down in clear; the others must be given again. */
    public Map<String, String> plainParameters() {
        Map<String, String> out = new LinkedHashMap<>();
        map(document.get("parameters")).forEach((name, p) -> {
            Map<String, Object> pm = map(p);
            if (pm.containsKey("value") && pm.get("value") != null) out.put(name, String.valueOf(pm.get("value")));
        });
        return out;
    }

    /** How the runbook given now differs from the reviewed one (name and digest); empty when it is the same. */
    public List<String> runbookDifferences(Runbook now) {
        List<String> out = new ArrayList<>();
        Map<String, Object> rb = map(document.get("runbook"));
        if (!Objects.equals(rb.get("name"), now.name())) {
            out.add("the plan is of runbook " + rb.get("name") + " (" + rb.get("path") + "), not of " + now.name() + " (" + now.file() + ")");
        } else if (!Objects.equals(rb.get("sha256"), now.checksum())) {
            out.add("the runbook " + now.file() + " changed since the plan was made (sha256 " + shortDigest(rb.get("sha256"))
                    + " then, " + shortDigest(now.checksum()) + " now)");
        }
        return out;
    }

    /** How the parameters given now differ from the reviewed ones, compared in clear where they were written in clear. */
    public List<String> parameterDifferences(Params now) {
        List<String> out = new ArrayList<>();
        Map<String, Object> ps = map(document.get("parameters"));
        Map<String, Object> psNow = parameters(now);
        Set<String> names = new LinkedHashSet<>(ps.keySet());
        names.addAll(psNow.keySet());
        for (String name : names) {
            Map<String, Object> then = map(ps.get(name));
            Map<String, Object> nowP = map(psNow.get(name));
            if (then.equals(nowP)) continue;
            out.add("parameter " + name + ": planned " + shown(then) + ", now " + shown(nowP));
        }
        return out;
    }

    /**
     * Every way {@code now} differs from this document in what will run: the lockstep that runs it, where
     * it acts, each step (action, checks, confirmation, halt conditions, limits, rollback, verdict) and
     * the runbook's rollback. What checks observed is not compared: it is evidence, not the plan.
     */
    public List<String> differences(SavedPlan now) {
        List<String> out = new ArrayList<>();
        if (!Objects.equals(document.get("lockstep"), now.document.get("lockstep"))) {
            out.add("the plan was made by lockstep " + document.get("lockstep") + ", and this is " + now.document.get("lockstep"));
        }
        if (!Objects.equals(document.get("target"), now.document.get("target"))) {
            out.add("the place to act differs: planned " + document.get("target") + ", now " + now.document.get("target"));
        }
        Map<String, Object> steps = byId(document.get("steps"));
        Map<String, Object> stepsNow = byId(now.document.get("steps"));
        Set<String> ids = new LinkedHashSet<>(steps.keySet());
        ids.addAll(stepsNow.keySet());
        for (String id : ids) {
            if (!steps.containsKey(id)) out.add("step " + id + " is new since the plan was made");
            else if (!stepsNow.containsKey(id)) out.add("step " + id + " is gone since the plan was made");
            else {
                List<String> d = new ArrayList<>();
                compare("", steps.get(id), stepsNow.get(id), d);
                if (!d.isEmpty()) out.add("step " + id + " would do something else than was reviewed: " + String.join("; ", d));
            }
        }
        if (!new ArrayList<>(steps.keySet()).equals(new ArrayList<>(stepsNow.keySet())) && steps.keySet().equals(stepsNow.keySet())) {
            out.add("the steps run in another order than was reviewed");
        }
        if (!Objects.equals(document.get("pointOfNoReturn"), now.document.get("pointOfNoReturn"))) {
            out.add("the point of no return differs: reviewed " + shownValue(document.get("pointOfNoReturn")) + ", now "
                    + shownValue(now.document.get("pointOfNoReturn")));
        }
        for (String key : List.of("rollback", "withoutRollback")) {
            List<String> d = new ArrayList<>();
            compare(key, document.get(key), now.document.get(key), d);
            if (!d.isEmpty()) out.add("the rollback plan differs: " + String.join("; ", d));
        }
        return out;
    }

    /** Up to a few differences between two JSON values, each named by its path. */
    private static void compare(String path, Object then, Object now, List<String> out) {
        if (out.size() >= 3) return;
        if (then instanceof Map<?, ?> a && now instanceof Map<?, ?> b) {
            Set<Object> keys = new LinkedHashSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (Object k : keys) {
                if (OBSERVATIONS.contains(String.valueOf(k))) continue;
                compare(path.isEmpty() ? String.valueOf(k) : path + "." + k, a.get(k), b.get(k), out);
            }
        } else if (then instanceof List<?> a && now instanceof List<?> b) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                compare(path + "[" + i + "]", i < a.size() ? a.get(i) : null, i < b.size() ? b.get(i) : null, out);
            }
        } else if (!Objects.equals(normal(then), normal(now))) {
            out.add(path + ": reviewed " + shownValue(then) + ", now " + shownValue(now));
        }
    }

    /** Numbers as JSON reads them back (a long may come back as an integer): compared by their text. */
    private static Object normal(Object v) {
        return v instanceof Number n ? n.toString() : v;
    }

    private static Map<String, Object> byId(Object steps) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object o : list(steps)) out.put(String.valueOf(map(o).get("id")), o);
        return out;
    }

    private static String shown(Map<String, Object> p) {
        if (p.isEmpty()) return "nothing";
        if (Boolean.TRUE.equals(p.get("secret"))) return "a secret (compared by its digest in the state store)";
        if (Boolean.TRUE.equals(p.get("holdsSecret"))) return "a value holding a secret (compared by its digest in the state store)";
        return p.get("value") == null ? "nothing" : "'" + p.get("value") + "'";
    }

    private static String shownValue(Object v) {
        if (v == null) return "nothing";
        String s = v instanceof String ? "'" + v + "'" : Json.write(v);
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }

    private static String shortDigest(Object d) {
        String s = String.valueOf(d);
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    /** The digest a plan file's bytes are known by. */
    static String digest(String text) {
        return Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
