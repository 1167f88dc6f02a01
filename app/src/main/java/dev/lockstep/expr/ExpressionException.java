package dev.lockstep.expr;

/** An expression that cannot be parsed or resolved; the message says what was expected. */
public final class ExpressionException extends RuntimeException {
    public ExpressionException(String message) {
        super(message);
    }
}
