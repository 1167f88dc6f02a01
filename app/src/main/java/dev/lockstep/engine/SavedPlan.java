package dev.lockstep.engine;

import dev.lockstep.context.Targets;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.json.Json;
import dev.lockstep.runbook.Digests;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What was reviewed, kept so that exactly that can be run later (Terraform's plan and apply,
 * for runbooks): the runbook's digest, the parameters (a secret, or a value holding one, only
 * as a salted digest), where the run acts, and every step's resolved action, which for
 * CloudFormation holds the change set's contents. {@code lockstep run --plan} plans again and
 * refuses on any difference. The document is also what {@code plan --output json} prints.
 */
public final class SavedPlan {
    public static final int FORMAT = 1;
    /** Made when first needed: seeding it loads the security providers, which commands that never use it should not pay. */
    private static final class Random {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final Map<String, Object> document;

    private SavedPlan(Map<String, Object> document) {
        this.document = document;
    }

    /** A plan to save; secrets are digested with a new salt. */
    public static SavedPlan of(Runbook runbook, Params params, Targets targets, Planner.Plan plan, String version) {
        byte[] salt = new byte[16];
        Random.RANDOM.nextBytes(salt);
        return of(runbook, params, targets, plan, version, HexFormat.of().formatHex(salt));
    }

    /** The same plan made now, digested with {@code earlier}'s salt so that the two compare. */
    public static SavedPlan like(SavedPlan earlier, Runbook runbook, Params params, Targets targets, Planner.Plan plan,
                                 String version) {
        return of(runbook, params, targets, plan, version, earlier.salt());
    }

    private static SavedPlan of(Runbook runbook, Params params, Targets targets, Planner.Plan plan, String version, String salt) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("lockstepPlan", FORMAT);
        doc.put("lockstep", version);
        doc.put("createdAt", Instant.now().toString());
        Map<String, Object> rb = new LinkedHashMap<>();
        rb.put("path", runbook.file().toString());
        rb.put("name", runbook.name());
        rb.put("sha256", runbook.checksum());
        doc.put("runbook", rb);
        doc.put("salt", salt);
        Map<String, Object> ps = new LinkedHashMap<>();
        List<String> hidden = new ArrayList<>(params.secretNames());
        hidden.addAll(params.maskedNames());
        params.values().forEach((name, value) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            if (value != null && hidden.contains(name)) {
                p.put("secret", params.secretNames().contains(name));
                p.put("sha256", Digests.sha256(salt + ":" + value));
            } else {
                p.put("value", value == null ? null : String.valueOf(value));
            }
            ps.put(name, p);
        });
        doc.put("parameters", ps);
        doc.put("target", targets.describe());
        List<Object> steps = new ArrayList<>();
        for (Planner.StepPlan s : plan.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("title", s.title());
            m.put("uses", s.uses());
            m.put("actions", s.actions());
            List<Object> checks = new ArrayList<>();
            for (Planner.CheckPlan c : s.checks()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("check", c.description());
                cm.put("status", c.status().name());
                cm.put("observed", c.observed());
                checks.add(cm);
            }
            m.put("checks", checks);
            m.put("confirm", s.confirm());
            m.put("outputs", s.outputs());
            m.put("rollback", s.rollback() == null ? null : rollback(s.rollback()));
            steps.add(m);
        }
        doc.put("steps", steps);
        List<Object> rollback = new ArrayList<>();
        for (Planner.RollbackAction r : plan.rollback()) rollback.add(rollback(r));
        doc.put("rollback", rollback);
        doc.put("withoutRollback", plan.withoutRollback());
        return new SavedPlan(doc);
    }

    private static Map<String, Object> rollback(Planner.RollbackAction r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("undoes", r.subject());
        m.put("uses", r.uses());
        m.put("actions", r.actions());
        return m;
    }

    /** Reads a saved plan; {@code source} names it in messages. */
    public static SavedPlan parse(String text, String source) {
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw notAPlan(source, "it is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("lockstepPlan") instanceof Number n)) {
            throw notAPlan(source, "it has no lockstepPlan format number");
        }
        if (n.intValue() != FORMAT) throw notAPlan(source, "its format is " + n + ", and this lockstep reads format " + FORMAT);
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) m;
        for (String key : List.of("runbook", "salt", "parameters", "target", "steps")) {
            if (doc.get(key) == null) throw notAPlan(source, "it lacks '" + key + "'");
        }
        return new SavedPlan(doc);
    }

    private static LockstepException notAPlan(String source, String why) {
        return new LockstepException(ErrorCode.USAGE, source + " is not a saved lockstep plan: " + why
                + " (make one with lockstep plan RUNBOOK --out FILE)");
    }

    public Map<String, Object> document() {
        return document;
    }

    public String runbookPath() {
        return String.valueOf(map(document.get("runbook")).get("path"));
    }

    private String salt() {
        return String.valueOf(document.get("salt"));
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

    /**
     * Every way {@code now} differs from this plan in what matters: the runbook, a parameter, where
     * the run acts, what a step (or a rollback) would do. Empty when they are the same.
     */
    public List<String> differences(SavedPlan now) {
        List<String> out = new ArrayList<>();
        Map<String, Object> rb = map(document.get("runbook"));
        Map<String, Object> rbNow = map(now.document.get("runbook"));
        if (!Objects.equals(rb.get("sha256"), rbNow.get("sha256"))) {
            out.add("the runbook " + rbNow.get("path") + " changed since the plan was made (sha256 "
                    + shortDigest(rb.get("sha256")) + " then, " + shortDigest(rbNow.get("sha256")) + " now)");
        }
        Map<String, Object> ps = map(document.get("parameters"));
        Map<String, Object> psNow = map(now.document.get("parameters"));
        Set<String> names = new LinkedHashSet<>(ps.keySet());
        names.addAll(psNow.keySet());
        for (String name : names) {
            Map<String, Object> then = map(ps.get(name));
            Map<String, Object> nowP = map(psNow.get(name));
            if (then.equals(nowP)) continue;
            boolean hidden = then.containsKey("sha256") || nowP.containsKey("sha256");
            out.add("parameter " + name + (hidden ? ": its value differs from the planned one (kept only as a digest)"
                    : ": planned " + shown(then.get("value")) + ", now " + shown(nowP.get("value"))));
        }
        if (!Objects.equals(document.get("target"), now.document.get("target"))) {
            out.add("the place to act differs: planned " + document.get("target") + ", now " + now.document.get("target"));
        }
        Map<String, List<String>> actions = actions(document);
        Map<String, List<String>> actionsNow = actions(now.document);
        Set<String> ids = new LinkedHashSet<>(actions.keySet());
        ids.addAll(actionsNow.keySet());
        for (String id : ids) {
            List<String> then = actions.get(id);
            List<String> nowA = actionsNow.get(id);
            if (then == null) out.add(id + " is new since the plan was made");
            else if (nowA == null) out.add(id + " is gone since the plan was made");
            else if (!then.equals(nowA)) out.add(id + " would do something else than was reviewed: " + firstDifference(then, nowA));
        }
        return out;
    }

    /** Each step's actions and its rollback's, and the runbook's rollback actions, by a name for messages. */
    private static Map<String, List<String>> actions(Map<String, Object> doc) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Object o : list(doc.get("steps"))) {
            Map<String, Object> s = map(o);
            out.put("step " + s.get("id"), strings(s.get("actions")));
            if (s.get("rollback") != null) out.put("the rollback of step " + s.get("id"), strings(map(s.get("rollback")).get("actions")));
        }
        int n = 1;
        for (Object o : list(doc.get("rollback"))) {
            Map<String, Object> r = map(o);
            if ("runbook".equals(r.get("undoes"))) out.put("runbook rollback action " + n++, strings(r.get("actions")));
        }
        return out;
    }

    private static String firstDifference(List<String> then, List<String> now) {
        for (int i = 0; i < Math.max(then.size(), now.size()); i++) {
            String a = i < then.size() ? then.get(i) : null;
            String b = i < now.size() ? now.get(i) : null;
            if (!Objects.equals(a, b)) {
                return "reviewed " + (a == null ? "nothing more" : "'" + a + "'") + ", now " + (b == null ? "nothing more" : "'" + b + "'");
            }
        }
        return "the lines differ";
    }

    private static String shown(Object v) {
        return v == null ? "nothing" : "'" + v + "'";
    }

    private static String shortDigest(Object d) {
        String s = String.valueOf(d);
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object i : list(o)) out.add(String.valueOf(i));
        return out;
    }
}
