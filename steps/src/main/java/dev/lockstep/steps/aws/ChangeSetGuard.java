package dev.lockstep.steps.aws;

import dev.lockstep.spi.Position;
import dev.lockstep.spi.Suggest;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.ValueProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.cloudformation.model.ResourceChange;

/**
 * Which resource changes a {@code cloudformation.deploy} may make, checked on its change set
 * before anything is executed. Each change is one of these kinds:
 * <ul>
 * <li>{@code Add}, {@code Remove} (and {@code Import}, {@code Dynamic}, as CloudFormation says);</li>
 * <li>{@code Modify}: changed in place (Replacement False);</li>
 * <li>{@code Replace}: deleted and created anew (Replacement True);</li>
 * <li>{@code Conditional}: may be replaced, depending on values known only during the update
 * (Replacement Conditional; emulators say so for every ECS, EC2 and Logs change).</li>
 * </ul>
 * <pre>
 * guard: { allow: [Add] }                                   # additions only, anywhere
 * guard: { forbid: [Remove, Replace, Conditional] }
 * guard:
 *   allow: { "*": [Add], ZooidRelayService: [Modify, Conditional] }
 *   forbid: { RDSInstance: [Remove, Replace, Conditional] }
 * </pre>
 * {@code allow} lists what may happen: for a resource, its own entry, else {@code "*"};
 * with {@code allow} given, anything it does not list is refused. {@code forbid} adds
 * refusals: {@code "*"}'s and the resource's own. A list instead of a mapping means {@code "*"}.
 * {@code named} holds each logical id the guard names and where the runbook names it first: an id
 * that neither the stack's template nor the new one has protects nothing (a typo), and is refused.
 */
record ChangeSetGuard(Map<String, Set<String>> allow, Map<String, Set<String>> forbid, Map<String, Position> named) {
    static final List<String> KINDS = List.of("Add", "Modify", "Remove", "Replace", "Conditional", "Import", "Dynamic");

    /** Reads {@code with.guard}; null when there is none. Problems at their place in the runbook. */
    static ChangeSetGuard parse(Value v) {
        if (v == null || (v instanceof Value.Scalar s && s.value() == null)) return null;
        if (!(v instanceof Value.Mapping m)) throw new ValueProblem(v.position(), "guard: expected a mapping with allow and/or forbid");
        for (String k : m.entries().keySet()) {
            if (!k.equals("allow") && !k.equals("forbid")) {
                throw new ValueProblem(m.keys().get(k), "guard: unknown key '" + k + "': expected allow or forbid");
            }
        }
        if (m.entries().isEmpty()) throw new ValueProblem(m.position(), "guard: expected allow and/or forbid");
        Map<String, Position> named = new LinkedHashMap<>();
        return new ChangeSetGuard(rules(m.get("allow"), "allow", named), rules(m.get("forbid"), "forbid", named), named);
    }

    private static Map<String, Set<String>> rules(Value v, String what, Map<String, Position> named) {
        if (v == null) return null;
        Map<String, Set<String>> out = new LinkedHashMap<>();
        if (v instanceof Value.Mapping m) {
            m.entries().forEach((resource, kinds) -> {
                if (!resource.equals("*") && !resource.matches("[A-Za-z0-9]+")) {
                    throw new ValueProblem(m.keys().get(resource), "guard." + what + ": '" + resource
                            + "' is not a logical resource id (letters and digits) or \"*\"");
                }
                if (!resource.equals("*")) named.putIfAbsent(resource, m.keys().get(resource));
                out.put(resource, kinds(kinds, what + "." + resource));
            });
        } else {
            out.put("*", kinds(v, what));
        }
        return out;
    }

    private static Set<String> kinds(Value v, String where) {
        List<Value> items = v instanceof Value.Sequence seq ? seq.items() : List.of(v);
        Set<String> out = new LinkedHashSet<>();
        for (Value item : items) {
            String k = item instanceof Value.Scalar s && s.value() != null ? s.text() : null;
            if (k == null || !KINDS.contains(k)) {
                throw new ValueProblem(item.position(), "guard." + where + ": expected one of " + String.join(", ", KINDS)
                        + ", got " + Value.describeOf(item));
            }
            out.add(k);
        }
        return out;
    }

    /** The kind of one resource change (see the class comment). */
    static String kind(ResourceChange r) {
        String action = r.actionAsString();
        if (!"Modify".equals(action)) return action;
        String replacement = r.replacementAsString();
        if ("True".equals(replacement)) return "Replace";
        if ("Conditional".equals(replacement)) return "Conditional";
        return "Modify";
    }

    /** The same guard for undoing what it allowed: an allowed Add is undone by a Remove, and the other way round. */
    ChangeSetGuard mirrored() {
        return new ChangeSetGuard(swap(allow), swap(forbid), named);
    }

    /**
     * Why the guard would protect nothing somewhere: each logical id it names that is in none of
     * {@code logicalIds} (the stack's template and the new one), with the nearest one; null when
     * every id it names is there.
     */
    String namesNothing(Set<String> logicalIds) {
        List<String> out = new ArrayList<>();
        named.forEach((id, at) -> {
            if (!logicalIds.contains(id)) {
                out.add(at + ": the guard names " + id + ", which is in neither the stack's template nor the new one"
                        + Suggest.didYouMean(id, logicalIds));
            }
        });
        return out.isEmpty() ? null : String.join("; ", out) + ": the guard would protect nothing there";
    }

    private static Map<String, Set<String>> swap(Map<String, Set<String>> rules) {
        if (rules == null) return null;
        Map<String, Set<String>> out = new LinkedHashMap<>();
        rules.forEach((r, kinds) -> {
            Set<String> s = new LinkedHashSet<>();
            for (String k : kinds) s.add(k.equals("Add") ? "Remove" : k.equals("Remove") ? "Add" : k);
            out.put(r, s);
        });
        return out;
    }

    /** Why this change breaks the guard, or null when it may happen. */
    String refusal(ResourceChange r) {
        String kind = kind(r);
        String id = r.logicalResourceId();
        if (allow != null) {
            Set<String> allowed = allow.containsKey(id) ? allow.get(id) : allow.get("*");
            if (allowed == null || !allowed.contains(kind)) {
                return kind + " is not allowed for " + id + " (allowed: " + (allowed == null ? "nothing" : String.join(", ", allowed)) + ")";
            }
        }
        if (forbid != null) {
            for (String key : new String[] {"*", id}) {
                if (forbid.getOrDefault(key, Set.of()).contains(kind)) {
                    return kind + " is forbidden for " + (key.equals("*") ? "every resource" : id);
                }
            }
        }
        return null;
    }

    /** Every change that breaks the guard, one line each: the evidence of a halt. */
    List<String> offending(List<ResourceChange> changes) {
        List<String> out = new ArrayList<>();
        for (ResourceChange r : changes) {
            String why = refusal(r);
            if (why != null) out.add(r.actionAsString() + " " + r.logicalResourceId() + " (" + r.resourceType() + ")"
                    + (r.replacementAsString() != null ? " replacement " + r.replacementAsString() : "") + ": " + why);
        }
        return out;
    }

    /** The guard in one line, for the plan. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (allow != null) parts.add("allow " + text(allow));
        if (forbid != null) parts.add("forbid " + text(forbid));
        return String.join("; ", parts);
    }

    private static String text(Map<String, Set<String>> rules) {
        List<String> out = new ArrayList<>();
        rules.forEach((r, k) -> out.add(r + ": " + String.join("/", k)));
        return String.join(", ", out);
    }
}
