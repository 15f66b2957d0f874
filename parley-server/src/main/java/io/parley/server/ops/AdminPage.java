package io.parley.server.ops;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /admin}: the admin page, a static HTML file ({@code static/admin/index.html}) whose
 * script ({@code /admin/admin.js}, no inline script) polls {@code GET /api/admin/nodes} every 2 s
 * and draws the charts with uPlot from its WebJar. Admins only, as everything under {@code /admin}.
 */
@Controller
class AdminPage {

    private static final Resource PAGE = new ClassPathResource("static/admin/index.html");

    @GetMapping({"/admin", "/admin/"})
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).cacheControl(CacheControl.noStore()).body(PAGE);
    }
}
