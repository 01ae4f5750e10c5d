import { loadStackConfig } from "./config/load";
import { composeStack } from "./program";

// Validate the stack's config (nothing is registered when it is bad), then compose the components.
export = composeStack(loadStackConfig());
