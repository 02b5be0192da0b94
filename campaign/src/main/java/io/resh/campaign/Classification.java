package io.resh.campaign;

/**
 * An injection's outcome and why.
 *
 * @param outcome the class
 * @param explanation one line a reader of the report understands
 */
public record Classification(Outcome outcome, String explanation) {
}
