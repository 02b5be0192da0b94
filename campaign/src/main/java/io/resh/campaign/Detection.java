package io.resh.campaign;

import io.resh.core.FaultKind;

/**
 * A fault the host detected during an injection's window.
 *
 * @param replica the slot the host blamed
 * @param kind what the host saw
 * @param millisAfterInjection time from the injection to the detection
 * @param evidence the host's evidence, as it logged it
 */
public record Detection(int replica, FaultKind kind, double millisAfterInjection, String evidence) {
}
