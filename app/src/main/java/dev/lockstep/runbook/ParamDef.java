package dev.lockstep.runbook;

import dev.lockstep.spi.Position;
import java.util.regex.Pattern;

/**
 * A runbook parameter. A secret has no default (it would sit in git in clear) and
 * may name an environment variable ({@code env}) to read it from.
 */
public record ParamDef(String name, Object defaultValue, boolean required, boolean secret,
                       Pattern pattern, String description, String env, Position position) {}
