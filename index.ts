import { loadStackConfig } from "./config/load";
import { withRunningReleases } from "./config/releases";
import { composeStack } from "./program";

// Validate the stack's config (nothing is registered when it is bad), keep the running image tags unless
// this update promotes one, then compose the components.
export = withRunningReleases(loadStackConfig()).then(composeStack);
