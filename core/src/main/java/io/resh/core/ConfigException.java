package io.resh.core;

/** A configuration is invalid. The message names the field and says what is wrong with it. */
public final class ConfigException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ConfigException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The dotted path of the offending field, e.g. {@code checkpoint.every}. */
    public String field() {
        return field;
    }
}
