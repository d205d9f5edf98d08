/** "{name} is typing…" under the list, from the conversation's typing signal. */
import type { ReadonlySignal } from '@preact/signals';
import { tc } from '../strings.ts';

/** The sentence for who is typing (me excluded by the caller); empty when nobody is. */
export function typingText(names: readonly string[]): string {
  const [a, b] = names;
  if (a === undefined) return '';
  if (b === undefined) return tc('conv.typingOne', { name: a });
  if (names.length === 2) return tc('conv.typingTwo', { a, b });
  return tc('conv.typingMany');
}

export function TypingStatus({
  typing,
  myIk,
  nameOf,
}: {
  typing: ReadonlySignal<ReadonlyMap<string, number>>;
  myIk: string | undefined;
  nameOf: (ik: string) => string;
}) {
  const names = [...typing.value.keys()].filter((ik) => ik !== myIk).map(nameOf);
  const text = typingText(names);
  return (
    <div class="conv-typing" role="status">
      {text ? (
        <>
          <span class="conv-typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </>
      ) : null}
    </div>
  );
}
