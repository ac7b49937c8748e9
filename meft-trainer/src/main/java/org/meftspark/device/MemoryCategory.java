package org.meftspark.device;

/** What device memory is used for (meft-method.md section 5, the memory model). */
public enum MemoryCategory {
    /** the frozen base model */
    FROZEN_WEIGHTS,
    /** activations kept for backward, and the KV cache in generation */
    ACTIVATIONS,
    /** MEFT: the gathered neurons K[U], V[U] of the current micro-batch */
    ADAPTER_WORKING_SET,
    /** trainable parameters resident on the device (routers, LoRA, dense adapters, full fine-tuning) */
    TRAINABLE_PARAMS,
    /** their gradients */
    GRADIENTS,
    /** optimizer moments on the device */
    OPTIMIZER_STATE
}
