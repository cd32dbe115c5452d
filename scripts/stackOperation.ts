// What local.ts and deploy.ts do alike with a stack: select it if it exists, create it, and run
// `up`, `preview` or `destroy` with the CLI's output streamed live.
import { LocalWorkspace, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ScriptFailure, pulumiErrorText } from "./script";

/** The stack, selected, or undefined when the backend has none of that name. */
export async function selectIfExists(name: string, workspace: LocalWorkspace): Promise<Stack | undefined> {
    try {
        return await Stack.select(name, workspace);
    } catch (error) {
        if (error instanceof StackNotFoundError) return undefined;
        throw new ScriptFailure(`Could not select the stack "${name}":\n${pulumiErrorText(error)}`);
    }
}

export async function createStack(name: string, workspace: LocalWorkspace): Promise<Stack> {
    try {
        return await Stack.create(name, workspace);
    } catch (error) {
        throw new ScriptFailure(`Could not create the stack "${name}":\n${pulumiErrorText(error)}`);
    }
}

/** When it fails, the CLI has already printed why (live): the failure only says which command. */
export async function runOperation<T>(name: string, operation: () => Promise<T>): Promise<T> {
    try {
        return await operation();
    } catch {
        throw new ScriptFailure(`pulumi ${name} failed: see its output above.`);
    }
}
