package dev.lockstep.spi;

/** A failure the user should see as one line, with a code that decides the exit status. */
public class LockstepException extends RuntimeException {
    private final ErrorCode code;

    public LockstepException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public LockstepException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
