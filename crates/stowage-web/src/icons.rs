//! Small inline SVG icons (24-unit grid, drawn with the current text colour). All are decorative (`aria-hidden`).

use yew::prelude::*;

/// The icons the shell uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    /// The Stowage mark: a stack of disks.
    Logo,
    /// A document (the manifest editor).
    File,
    /// A prompt (the terminal).
    Terminal,
    /// Boxes (the cluster view).
    Cluster,
    /// Connected steps (the flow view).
    Flow,
    /// A pulse line (the event timeline).
    Timeline,
    /// A magnifier over a list (the inspector).
    Inspect,
    /// A play triangle (apply, play).
    Play,
    /// Two bars (pause).
    Pause,
    /// A bar and a triangle (step).
    Step,
    /// The sun (switch to light).
    Sun,
    /// The moon (switch to dark).
    Moon,
    /// A chevron pointing right (the prompt).
    Prompt,
}

/// Renders `icon` at 16 px.
pub fn icon(icon: Icon) -> Html {
    let paths = match icon {
        Icon::Logo => html! {
            <>
                <ellipse cx="12" cy="5.5" rx="8" ry="3" />
                <path d="M4 5.5v6c0 1.66 3.58 3 8 3s8-1.34 8-3v-6" />
                <path d="M4 11.5v6c0 1.66 3.58 3 8 3s8-1.34 8-3v-6" />
            </>
        },
        Icon::File => html! {
            <>
                <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
                <path d="M14 3v5h5" />
                <path d="M9 13h6M9 17h4" />
            </>
        },
        Icon::Terminal => html! {
            <>
                <rect x="3" y="4" width="18" height="16" rx="2" />
                <path d="m7 9 3 3-3 3M13 15h4" />
            </>
        },
        Icon::Cluster => html! {
            <>
                <rect x="3" y="3" width="7" height="7" rx="1.5" />
                <rect x="14" y="3" width="7" height="7" rx="1.5" />
                <rect x="3" y="14" width="7" height="7" rx="1.5" />
                <rect x="14" y="14" width="7" height="7" rx="1.5" />
            </>
        },
        Icon::Flow => html! {
            <>
                <rect x="3" y="4" width="6" height="5" rx="1" />
                <rect x="15" y="15" width="6" height="5" rx="1" />
                <path d="M6 9v4a2 2 0 0 0 2 2h7" />
                <path d="m12 12 3 3-3 3" />
            </>
        },
        Icon::Timeline => html! { <path d="M3 12h4l3-7 4 14 3-7h4" /> },
        Icon::Inspect => html! {
            <>
                <path d="M4 6h9M4 11h6M4 16h5" />
                <circle cx="16.5" cy="14.5" r="3.5" />
                <path d="m19 17 2.5 2.5" />
            </>
        },
        Icon::Play => html! { <path d="M7 4.5v15l12-7.5z" /> },
        Icon::Pause => html! { <path d="M8 5v14M16 5v14" /> },
        Icon::Step => html! { <path d="M6 5v14l9-7zM18 5v14" /> },
        Icon::Sun => html! {
            <>
                <circle cx="12" cy="12" r="4" />
                <path d="M12 2v2M12 20v2M4.93 4.93l1.41 1.41M17.66 17.66l1.41 1.41M2 12h2M20 12h2M4.93 19.07l1.41-1.41M17.66 6.34l1.41-1.41" />
            </>
        },
        Icon::Moon => html! { <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" /> },
        Icon::Prompt => html! { <path d="m9 6 6 6-6 6" /> },
    };
    html! {
        <svg class="icon" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
            { paths }
        </svg>
    }
}
