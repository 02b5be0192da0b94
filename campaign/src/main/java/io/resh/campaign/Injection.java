package io.resh.campaign;

import io.resh.core.InjectedFault;

/**
 * One planned fault.
 *
 * @param index position in the plan, 0-based
 * @param kind the fault
 * @param replica target slot, 0-based
 * @param afterRequest how many of the window's requests are answered before the fault is injected
 *     (always fewer than the window, so at least one request follows the fault)
 * @param arg the fault's parameter: bit index (reply corruption), delay in ms (slow), seed (state
 *     corruption, IPC garbage), 0 otherwise
 * @param seed seed of the requests sent in this injection's window
 */
public record Injection(int index, InjectedFault kind, int replica, int afterRequest, long arg, long seed) {
}
