/** Server-sent events with the "live" indicator in the header; EventSource reconnects on its own. */
const indicator = (): HTMLElement | null => document.getElementById('live');

export function subscribe(path: string, handlers: Record<string, (data: unknown) => void>): () => void {
  const source = new EventSource(`api/${path}`);
  source.onopen = () => indicator()?.classList.add('on');
  source.onerror = () => indicator()?.classList.remove('on');
  for (const [event, handler] of Object.entries(handlers)) source.addEventListener(event, (e) => handler(JSON.parse((e as MessageEvent<string>).data)));
  return () => {
    source.close();
    indicator()?.classList.remove('on');
  };
}
