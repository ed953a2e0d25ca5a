// The current details are set at most once per activation, and only when their text changed: the
// coalescing the search attributes use (a microtask that runs before the activation completes). Setting
// details leaves no trace in the history, so this is checked here, with setCurrentDetails replaced.
import type * as Workflow from '@temporalio/workflow';
import { afterEach, describe, expect, it, vi } from 'vitest';

const set = vi.hoisted(() => vi.fn<(details: string) => void>());
vi.mock('@temporalio/workflow', async (importOriginal) => ({
  ...(await importOriginal<typeof Workflow>()),
  setCurrentDetails: set,
}));

// Test files may share a process (vitest's isolate: false): drop any copy of the module imported,
// unmocked, by an earlier file.
vi.resetModules();
const { DetailsPublisher } = await import('../workflows/details-publisher');

/** Lets the microtasks queued so far run, as they do before an activation completes. */
const endOfActivation = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => set.mockClear());

describe('DetailsPublisher', () => {
  it('renders and sets the details once however many changes one activation makes', async () => {
    let state = 0;
    const render = vi.fn(() => `### step ${state}`);
    const details = new DetailsPublisher(render);
    for (let i = 0; i < 5; i++) {
      state += 1;
      details.refresh();
    }
    expect(render).not.toHaveBeenCalled(); // nothing before the end of the activation
    await endOfActivation();
    expect(render).toHaveBeenCalledTimes(1);
    expect(set.mock.calls).toEqual([['### step 5']]);

    // The next activation changes something: set again, with the latest text.
    state += 1;
    details.refresh();
    await endOfActivation();
    expect(set.mock.calls).toEqual([['### step 5'], ['### step 6']]);
  });

  it('does not set the same text again', async () => {
    const details = new DetailsPublisher(() => '### unchanged');
    details.refresh();
    await endOfActivation();
    details.refresh();
    await endOfActivation();
    expect(set).toHaveBeenCalledTimes(1);
  });
});
