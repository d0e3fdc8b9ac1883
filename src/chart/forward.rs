//! One adapter for plotters backends that wrap another backend and change
//! one or two of its methods: the browser canvas that measures text itself
//! (`src/wasm/canvas.rs`) and the SVG backend that embeds bitmaps as PNG
//! (`files.rs`). Everything not written out is forwarded to the field
//! `inner`, as plotters' own backend macros do.
//!
//! ```ignore
//! forward_drawing_backend! {
//!     impl DrawingBackend for Wrapper => inner: InnerBackend;
//!     forward [get_size, ensure_prepared, present, draw_pixel, draw_line, draw_rect,
//!              draw_path, draw_circle, fill_polygon, draw_text, estimate_text_size];
//!     fn blit_bitmap(&mut self, ...) -> ... { ... }
//! }
//! ```

/// Implement `DrawingBackend` for a wrapper: the listed methods forward to
/// `self.inner`, the methods written after the list are the wrapper's own.
macro_rules! forward_drawing_backend {
    (
        impl DrawingBackend for $ty:ty => inner: $inner:ty;
        forward [$($method:ident),* $(,)?];
        $($own:tt)*
    ) => {
        impl ::plotters_backend::DrawingBackend for $ty {
            type ErrorType = <$inner as ::plotters_backend::DrawingBackend>::ErrorType;
            $($crate::chart::forward::forward_method!($method);)*
            $($own)*
        }
    };
}

/// One forwarded `DrawingBackend` method, by name.
macro_rules! forward_method {
    (get_size) => {
        fn get_size(&self) -> (u32, u32) {
            self.inner.get_size()
        }
    };
    (ensure_prepared) => {
        fn ensure_prepared(
            &mut self,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.ensure_prepared()
        }
    };
    (present) => {
        fn present(
            &mut self,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.present()
        }
    };
    (draw_pixel) => {
        fn draw_pixel(
            &mut self,
            point: ::plotters_backend::BackendCoord,
            color: ::plotters_backend::BackendColor,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_pixel(point, color)
        }
    };
    (draw_line) => {
        fn draw_line<S: ::plotters_backend::BackendStyle>(
            &mut self,
            from: ::plotters_backend::BackendCoord,
            to: ::plotters_backend::BackendCoord,
            style: &S,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_line(from, to, style)
        }
    };
    (draw_rect) => {
        fn draw_rect<S: ::plotters_backend::BackendStyle>(
            &mut self,
            upper_left: ::plotters_backend::BackendCoord,
            bottom_right: ::plotters_backend::BackendCoord,
            style: &S,
            fill: bool,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_rect(upper_left, bottom_right, style, fill)
        }
    };
    (draw_path) => {
        fn draw_path<
            S: ::plotters_backend::BackendStyle,
            I: IntoIterator<Item = ::plotters_backend::BackendCoord>,
        >(
            &mut self,
            path: I,
            style: &S,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_path(path, style)
        }
    };
    (draw_circle) => {
        fn draw_circle<S: ::plotters_backend::BackendStyle>(
            &mut self,
            center: ::plotters_backend::BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_circle(center, radius, style, fill)
        }
    };
    (fill_polygon) => {
        fn fill_polygon<
            S: ::plotters_backend::BackendStyle,
            I: IntoIterator<Item = ::plotters_backend::BackendCoord>,
        >(
            &mut self,
            vert: I,
            style: &S,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.fill_polygon(vert, style)
        }
    };
    (draw_text) => {
        fn draw_text<S: ::plotters_backend::BackendTextStyle>(
            &mut self,
            text: &str,
            style: &S,
            pos: ::plotters_backend::BackendCoord,
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_text(text, style, pos)
        }
    };
    (estimate_text_size) => {
        fn estimate_text_size<S: ::plotters_backend::BackendTextStyle>(
            &self,
            text: &str,
            style: &S,
        ) -> ::std::result::Result<(u32, u32), ::plotters_backend::DrawingErrorKind<Self::ErrorType>>
        {
            self.inner.estimate_text_size(text, style)
        }
    };
    (blit_bitmap) => {
        fn blit_bitmap(
            &mut self,
            pos: ::plotters_backend::BackendCoord,
            size: (u32, u32),
            src: &[u8],
        ) -> ::std::result::Result<(), ::plotters_backend::DrawingErrorKind<Self::ErrorType>> {
            self.inner.blit_bitmap(pos, size, src)
        }
    };
}

pub(crate) use forward_drawing_backend;
pub(crate) use forward_method;
