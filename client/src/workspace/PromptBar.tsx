/** The prompting tools: click or box, click polarity, a text prompt (when a worker can read text), clear marks. */
import { useState } from 'react';
import type { Tool } from './CanvasStage.js';

export interface PromptBarProps {
  readonly tool: Tool;
  readonly positive: boolean;
  /** Null when text prompts work; otherwise why not. */
  readonly textDisabledReason: string | null;
  readonly readOnly: boolean;
  readonly target: string;
  onTool(tool: Tool): void;
  onPolarity(positive: boolean): void;
  onText(text: string): void;
  onClearMarks(): void;
}

export function PromptBar(props: PromptBarProps) {
  const [text, setText] = useState('');
  return (
    <div className="prompt-bar" role="toolbar" aria-label="Prompt tools" data-testid="prompt-bar">
      <div className="segmented">
        <button
          type="button"
          aria-pressed={props.tool === 'click'}
          onClick={() => props.onTool('click')}
          title="Click to add points"
        >
          Click
        </button>
        <button
          type="button"
          aria-pressed={props.tool === 'box'}
          onClick={() => props.onTool('box')}
          title="Drag a box (B)"
          data-testid="tool-box"
        >
          Box
        </button>
      </div>
      <div className="segmented">
        <button
          type="button"
          aria-pressed={props.positive}
          onClick={() => props.onPolarity(true)}
          title="Clicks add to the object (X toggles)"
        >
          + include
        </button>
        <button
          type="button"
          aria-pressed={!props.positive}
          onClick={() => props.onPolarity(false)}
          title="Clicks remove from the object (right click or Shift+click does too)"
          data-testid="polarity-negative"
        >
          − exclude
        </button>
      </div>
      <span className="target" data-testid="prompt-target">
        → {props.target}
      </span>
      <form
        className="text-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) props.onText(text.trim());
          setText('');
        }}
      >
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={
            props.textDisabledReason ? 'Text prompts unavailable' : 'Type a concept, e.g. “red car”'
          }
          disabled={props.readOnly || props.textDisabledReason !== null}
          title={props.textDisabledReason ?? 'Segment every instance of a concept on this frame'}
          aria-label="Text prompt"
          data-testid="text-prompt"
          maxLength={200}
        />
      </form>
      {props.textDisabledReason && (
        <span className="hint" data-testid="text-disabled-reason">
          {props.textDisabledReason}
        </span>
      )}
      <button
        type="button"
        onClick={props.onClearMarks}
        title="Stop drawing the prompt marks made so far (for you)"
      >
        Clear marks
      </button>
    </div>
  );
}
