package dev.lockstep.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kind of step ({@code run}, {@code db.copy}, {@code k8s.job}, …: each a plugin listed for
 * discovery). Its {@code with} keys are the components of {@code C}, a record
 * validated when the runbook loads. The engine decides whether to call
 * {@link #plan} (dry-run) or {@link #execute}; step code never asks "is this a dry run?".
 */
public interface StepType<C extends Record> {
    /** The name used after {@code uses:}. */
    String name();

    Class<C> configType();

    /**
     * What a step of this type does, in one Markdown paragraph: the row of docs/step-types.md, which is generated
     * from the types ({@code lockstep schema --markdown}) so that it cannot drift from them.
     */
    String summary();

    /** A short runbook example, shown by {@code lockstep schema} and docs/step-types.md. */
    String example();

    /**
     * What {@code execute} puts in its result, for this {@code with} as written (expressions
     * unresolved): {@code ${{ result.… }}} paths and {@code expect} keys are checked against it
     * when the runbook loads.
     */
    ResultShape result(Value.Mapping with);

    /**
     * Keys of {@code with} whose text is shell script. Expressions there are never
     * pasted in: each becomes a reference to an environment variable holding the value.
     */
    default Set<String> shellKeys() {
        return Set.of();
    }

    /**
     * Keys of {@code with} whose text is code in another language (SQL), by key. Expressions there
     * are refused when the runbook loads, except {@code ident(…)}, quoted by {@link CodeKey#quoteIdentifier}.
     */
    default Map<String, CodeKey> codeKeys() {
        return Map.of();
    }

    /**
     * Whether a step of this type runs to its own end when a {@code logs.until} line appears (a
     * task or a job, whose exit code still decides), keeping its full result plus {@code matched}.
     * By default the line ends the step at once (a follower such as {@code tail -f} never ends
     * by itself), and its result is only {@code matched}.
     */
    default boolean runsPastUntil() {
        return false;
    }

    /**
     * True when no configuration of this type changes anything outside. Known before a step's values are, so
     * the point of no return, computed from the runbook as written, counts such a step as reading only.
     */
    default boolean readsOnly() {
        return false;
    }

    /** True when executing this configuration changes nothing outside; such checks run during dry-run. */
    default boolean readOnly(C config) {
        return readsOnly();
    }

    /** What this step will do, fully resolved, one line per fact. No side effects. */
    List<String> plan(C config);

    /**
     * What dry-run shows for this step. By default {@link #plan}; a type may ask the real
     * systems here (CloudFormation builds a change set and deletes it unexecuted), but
     * must leave nothing changed behind. Throws {@link WouldHalt} when the step would halt.
     */
    default List<String> preview(C config, StepContext ctx) throws Exception {
        return plan(config);
    }

    /**
     * Builds what {@link #execute} would build from these inputs (a template with its fragments and
     * patches), asking the real systems only to read, and throws {@link WouldFail} when that cannot
     * work. A run asks this of every step whose values are known before its first step.
     */
    default void prepare(C config, StepContext ctx) throws Exception {
    }

    /**
     * Checks, when the runbook loads, the files this step names beside the runbook (template
     * fragments, patches), each problem at its own {@code file:line:col}. Only values written
     * literally can be checked then.
     */
    default void checkFiles(Value.Mapping with, java.nio.file.Path folder, dev.lockstep.spi.Problems problems) {
    }

    /** Does the work. Report external ids (task ARNs, change-set ids) through the context as soon as known. */
    StepResult execute(C config, StepContext ctx) throws Exception;

    /**
     * True when the type knows how to undo every configuration of itself. Known before a step's values are,
     * so the point of no return, computed from the runbook as written, counts such a step as undoable.
     */
    default boolean undoesItself() {
        return false;
    }

    /** Whether the type itself knows how to undo this configuration (used when the runbook gives no rollback). */
    default boolean hasRollback(C config) {
        return undoesItself();
    }

    /**
     * What {@link #rollback} will do for this configuration, one line per fact, resolved; no side
     * effects. Every type with a built-in undo says concretely what it undoes and where.
     */
    default List<String> planRollback(C config) {
        throw new UnsupportedOperationException(name() + " has no built-in rollback");
    }

    /** Undoes a completed execution; only called when {@link #hasRollback} is true. */
    default StepResult rollback(C config, StepContext ctx) throws Exception {
        throw new UnsupportedOperationException(name() + " has no built-in rollback");
    }

    /**
     * Decides what to do with a step that started and did not finish before the
     * process stopped. {@code externalIds} are those the step reported before. Not asked
     * when {@link #readOnly} holds for the configuration: such a step is always run again.
     */
    default Reconciliation reconcile(C config, Map<String, String> externalIds, boolean idempotent) {
        return idempotent ? Reconciliation.RERUN : Reconciliation.ASK_OPERATOR;
    }
}
