package dev.lockstep.expr;

import dev.lockstep.spi.ResolutionException;

/** An expression the resolver cannot parse or resolve: what a step type sees as a {@link ResolutionException}. */
public final class ExpressionException extends ResolutionException {
    public ExpressionException(String message) {
        super(message);
    }
}
