/**
 * The canvas tools: click or box prompts, click polarity, a text prompt (when a worker can read
 * text), comment pins, clear marks. What the caller's role does not allow is disabled, saying why.
 */
import { useState } from 'react';
import type { Tool } from './CanvasStage.js';

export interface PromptBarProps {
  readonly tool: Tool;
  readonly positive: boolean;
  /** Null when text prompts work; otherwise why not. */
  readonly textDisabledReason: string | null;
  /** Null when the caller may prompt, else why not. */
  readonly editDenied: string | null;
  /** Null when the caller may comment, else why not. */
  readonly commentDenied: string | null;
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
          disabled={props.editDenied !== null}
          title={props.editDenied ?? 'Click to add points'}
          data-testid="tool-click"
        >
          Click
        </button>
        <button
          type="button"
          aria-pressed={props.tool === 'box'}
          onClick={() => props.onTool('box')}
          disabled={props.editDenied !== null}
          title={props.editDenied ?? 'Drag a box (B)'}
          data-testid="tool-box"
        >
          Box
        </button>
        <button
          type="button"
          aria-pressed={props.tool === 'comment'}
          onClick={() => props.onTool(props.tool === 'comment' ? 'click' : 'comment')}
          disabled={props.commentDenied !== null}
          title={props.commentDenied ?? 'Click on the frame to pin a comment there'}
          data-testid="tool-comment"
        >
          Comment
        </button>
      </div>
      <div className="segmented">
        <button
          type="button"
          aria-pressed={props.positive}
          onClick={() => props.onPolarity(true)}
          disabled={props.editDenied !== null}
          title={props.editDenied ?? 'Clicks add to the object (X toggles)'}
        >
          + include
        </button>
        <button
          type="button"
          aria-pressed={!props.positive}
          onClick={() => props.onPolarity(false)}
          disabled={props.editDenied !== null}
          title={props.editDenied ?? 'Clicks remove from the object (right click or Shift+click does too)'}
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
          disabled={props.editDenied !== null || props.textDisabledReason !== null}
          title={
            props.editDenied ??
            props.textDisabledReason ??
            'Segment every instance of a concept on this frame'
          }
          aria-label="Text prompt"
          data-testid="text-prompt"
          maxLength={200}
        />
      </form>
      {props.textDisabledReason && props.editDenied === null && (
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
