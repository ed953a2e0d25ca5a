// Sets a workflow's current details (the Markdown the Web UI shows) at the end of the activation:
// however many changes an activation makes, the details are rendered once, in a microtask that runs
// before the activation completes (the coalescing progress.ts uses for search attributes), and set
// only when the text changed. Setting details adds no command, so a refresh may be asked for
// anywhere without changing the order of the commands a workflow emits.
import { setCurrentDetails } from '@temporalio/workflow';

export class DetailsPublisher {
  private scheduled = false;
  private last = '';

  constructor(private readonly render: () => string) {}

  refresh(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void Promise.resolve().then(() => {
      this.scheduled = false;
      const details = this.render();
      if (details === this.last) return;
      this.last = details;
      setCurrentDetails(details);
    });
  }
}
