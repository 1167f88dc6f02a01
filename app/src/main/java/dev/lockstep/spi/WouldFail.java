package dev.lockstep.spi;

/**
 * What {@link StepType#preview} throws when the step cannot work with the inputs it has, whatever
 * earlier steps do to the systems it acts on (a patch that does not apply to the template): the plan
 * says WOULD FAIL and exits non-zero. Any other failure of a preview after an earlier step that
 * changes something may be that step's to cure, and the plan says it could not be checked.
 */
public final class WouldFail extends Exception {
    public WouldFail(String reason) {
        super(reason);
    }
}
