package dev.lockstep.engine;

import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.PlanRecord;
import dev.lockstep.store.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A saved plan: the plan document in a file with an id, and its evidence in the state store.
 *
 * <p>What it proves. A file on disk proves nothing by itself: whoever can write it can write any digest
 * beside it. So {@code plan --out} records the digest of the file's exact bytes in the state store (the
 * local state folder, or the team's PostgreSQL), and {@code run --plan} refuses a file whose bytes are
 * not the ones recorded, a file the store has no record of, and a plan a run has used already. The
 * check is as strong as the store: someone who can write the store can record a plan of their own, and
 * the file must be run against the store it was saved to. Secrets never go into the file, not even as a
 * digest: their digests (PBKDF2, keyed with a random key kept beside them in the store) are compared
 * when the plan runs, so a committed plan file gives nothing to guess against.
 */
public final class PlanFile {
    public static final int FORMAT = 1;
    private static final int SECRET_ITERATIONS = 100_000;

    /** Made when first needed: seeding it loads the security providers, which commands that never use it should not pay. */
    private static final class Random {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final String id;
    private final String text;
    private final SavedPlan plan;
    private final String source;

    private PlanFile(String id, String text, SavedPlan plan, String source) {
        this.id = id;
        this.text = text;
        this.plan = plan;
        this.source = source;
    }

    public String id() {
        return id;
    }

    public SavedPlan plan() {
        return plan;
    }

    /** Writes {@code plan} to {@code file} and records its evidence in {@code store}; returns the plan's id. */
    public static String save(Path file, SavedPlan plan, Params params, StateStore store) {
        String id = plan.runbookName() + "-plan-" + HexFormat.of().formatHex(randomBytes(8));
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("lockstepSavedPlan", FORMAT);
        envelope.put("id", id);
        envelope.put("store", store.describe());
        envelope.put("plan", plan.document());
        String text = Json.pretty(envelope) + "\n";
        String key = HexFormat.of().formatHex(randomBytes(16));
        Map<String, String> secrets = new LinkedHashMap<>();
        List<String> hidden = new ArrayList<>(params.secretNames());
        hidden.addAll(params.maskedNames());
        params.values().forEach((name, value) -> {
            if (value != null && hidden.contains(name)) secrets.put(name, secretDigest(key, String.valueOf(value)));
        });
        store.savePlan(new PlanRecord(id, SavedPlan.digest(text), plan.runbookName(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), key, secrets, null));
        try {
            StateDir.writePrivate(file, text);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write the plan to " + file + ": " + e.getMessage());
        }
        return id;
    }

    /** Reads a saved plan; anything that is not one is a usage error (exit 2). */
    public static PlanFile read(String text, String source) {
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw notAPlan(source, "it is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("lockstepSavedPlan") instanceof Number n)) {
            throw notAPlan(source, "it has no lockstepSavedPlan format number");
        }
        if (n.intValue() != FORMAT) {
            throw notAPlan(source, "its format is " + n + ", and this lockstep reads format " + FORMAT);
        }
        if (!(m.get("id") instanceof String id) || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,159}")) {
            throw notAPlan(source, "it has no plan id");
        }
        return new PlanFile(id, text, SavedPlan.parse(m.get("plan"), source), source);
    }

    static LockstepException notAPlan(String source, String why) {
        return new LockstepException(ErrorCode.USAGE, source + " is not a plan saved by lockstep: " + why
                + " (make one with lockstep plan RUNBOOK --out FILE)");
    }

    /**
     * Checks the file against its evidence in {@code store}, before anything else is done with it: the
     * store must know it, its bytes must be the ones written, and no run may have used it.
     */
    public PlanRecord verify(StateStore store) {
        PlanRecord record = store.plan(id).orElseThrow(() -> differs("the state store " + store.describe()
                + " has no record of plan " + id + ": a plan runs against the store it was saved to (plan and run with the "
                + "same --state or --state-dir)"));
        if (!Objects.equals(record.fileSha256(), SavedPlan.digest(text))) {
            throw differs(source + " was changed after it was written (its bytes are not the ones plan " + id
                    + " recorded in " + store.describe() + ")");
        }
        if (record.usedBy() != null) throw differs(usedBy(record.usedBy()));
        return record;
    }

    private String usedBy(String runId) {
        return "plan " + id + " was run already, by run " + runId + ": a saved plan runs once (see lockstep show " + runId + ")";
    }

    /** Secrets given now that differ from the reviewed ones, by name only. */
    public static List<String> secretDifferences(PlanRecord record, Params params) {
        List<String> out = new ArrayList<>();
        List<String> hidden = new ArrayList<>(params.secretNames());
        hidden.addAll(params.maskedNames());
        for (String name : hidden) {
            Object value = params.values().get(name);
            String reviewed = record.secretDigests().get(name);
            if (value == null && reviewed == null) continue;
            if (value == null || reviewed == null || !reviewed.equals(secretDigest(record.key(), String.valueOf(value)))) {
                out.add("parameter " + name + ": its value differs from the planned one (compared by its digest in the state store)");
            }
        }
        return out;
    }

    /** Records that {@code runId} uses this plan; refused when another run did first. */
    public void use(StateStore store, String runId) {
        store.usePlan(id, runId).ifPresent(other -> {
            throw differs(usedBy(other));
        });
    }

    /** Refuses the run, naming every difference, when there is one. */
    public void refuseIfAny(List<String> differences) {
        if (!differences.isEmpty()) throw differs("this is not the plan that was reviewed: " + String.join("; ", differences));
    }

    private LockstepException differs(String why) {
        return new LockstepException(ErrorCode.PLAN_DIFFERS, why + ". Nothing was run: review a new plan (" + replan() + ")");
    }

    /** The plan command that made this plan, with the values it was given in clear (secrets come from where they came from). */
    public String replan() {
        StringBuilder b = new StringBuilder("lockstep plan ").append(ShellWords.quote(plan.runbookPath()));
        plan.plainParameters().forEach((k, v) -> b.append(" -p ").append(ShellWords.quote(k + "=" + v)));
        return b.append(" --out ").append(ShellWords.quote(source)).toString();
    }

    /** A slow keyed digest: even a short secret is costly to guess from a copy of the store. */
    static String secretDigest(String key, String value) {
        try {
            PBEKeySpec spec = new PBEKeySpec(value.toCharArray(), HexFormat.of().parseHex(key), SECRET_ITERATIONS, 256);
            return HexFormat.of().formatHex(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        Random.RANDOM.nextBytes(b);
        return b;
    }
}
