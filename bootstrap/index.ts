import { loadBootstrapConfig } from "./config";
import { composeBootstrap } from "./program";

// Validate the account's bootstrap config (nothing is registered when it is bad), then create the roles and key.
export = composeBootstrap(loadBootstrapConfig());
