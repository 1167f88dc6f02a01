package dev.lockstep.spi;

import java.util.function.UnaryOperator;

/**
 * A {@code with} key whose text is code in another language (SQL). A value pasted into code can
 * become code, so a {@code ${{ }}} there is refused when the runbook loads, as shell steps get values
 * only through the environment. Values get in the way the language binds them ({@code valuesGoIn});
 * a name that must vary (a table, a schema) gets in through {@code ${{ ident(…) }}}, which the type
 * quotes as an identifier of its language.
 *
 * @param language what the text is, as messages name it ("SQL")
 * @param valuesGoIn how a value reaches the code instead, for the message; {@code %s} stands for the expression
 * @param quoteIdentifier a name as the language quotes it; throws {@link IllegalArgumentException} for one it cannot
 */
public record CodeKey(String language, String valuesGoIn, UnaryOperator<String> quoteIdentifier) {}
