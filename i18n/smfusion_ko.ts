<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko">
  <context>
    <name>SMFusion</name>
    <message>
      <location filename="../plugin/plugin.py" line="56" />
      <source>SM Fusion…</source>
      <translation>SM Fusion…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="58" />
      <source>Run the whole pipeline: fusion, downscaling, calibration, evaluation</source>
      <translation>전체 파이프라인 실행: 융합, 상세화, 보정, 평가</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="62" />
      <source>SM Fusion tools…</source>
      <translation>SM Fusion 도구…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="64" />
      <source>Open the Processing toolbox at the SM Fusion tools</source>
      <translation>프로세싱 툴박스에서 SM Fusion 도구 열기</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="66" />
      <source>Check Python packages…</source>
      <translation>Python 패키지 확인…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="129" />
      <source>Install…</source>
      <translation>설치…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="127" />
      <source>Python packages missing: {}. The fusion, downscaling and calibration tools need them.</source>
      <translation>Python 패키지가 없습니다: {}. 융합, 상세화, 보정 도구에 필요합니다.</translation>
    </message>
    <message>
      <location filename="../ui/dependency_dialog.py" line="23" />
      <source>SM Fusion — Python packages</source>
      <translation>SM Fusion — Python 패키지</translation>
    </message>
    <message>
      <location filename="../ui/dependency_dialog.py" line="30" />
      <source>Install</source>
      <translation>설치</translation>
    </message>
    <message>
      <location filename="../ui/dependency_dialog.py" line="31" />
      <source>Copy command</source>
      <translation>명령 복사</translation>
    </message>
    <message>
      <location filename="../ui/dependency_dialog.py" line="56" />
      <source>Not installing: {}</source>
      <translation>설치하지 않음: {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="188" />
      <source>SM Fusion — daily 1-km soil moisture</source>
      <translation>SM Fusion — 일별 1 km 토양수분</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="190" />
      <source>ESTARFM fuses each fine driver series with its coarse twin, LightGBM downscales the coarse SSM and RZSM to the fine grid, a CNN fine-tuned on your training stations calibrates them, and the held-out stations score the bilinear, downscaled and calibrated series.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="195" />
      <source>A folder with one series sub-folder per driver: ndvi/, lst_day/, albedo/…</source>
      <translation>인자마다 시계열 하위 폴더가 하나씩 있는 폴더: ndvi/, lst_day/, albedo/…</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="203" />
      <source>A fraction of the stations (drawn with the seed) or comma-separated ids</source>
      <translation>관측소 비율(시드로 추출) 또는 쉼표로 구분한 ID</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="208" />
      <source>Inputs</source>
      <translation>입력</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="224" />
      <source>Check inputs and show the pairs</source>
      <translation>입력 확인 및 영상 쌍 보기</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="226" />
      <source>Coverage (red: ESTARFM pair dates)</source>
      <translation>자료 기간 (빨강: ESTARFM 쌍 날짜)</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="231" />
      <source>Run</source>
      <translation>실행</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="330" />
      <source>Checking the inputs (reading the fine series)…</source>
      <translation>입력 확인 중 (고해상도 시계열 읽는 중)…</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="370" />
      <source>The pipeline runs in the background: see the progress in the status bar</source>
      <translation>파이프라인이 백그라운드에서 실행 중입니다: 상태 표시줄에서 진행 상황을 확인하세요</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="76" />
      <source>Pick the inputs to see their dates</source>
      <translation>입력을 선택하면 날짜가 표시됩니다</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="210" />
      <source>Fine drivers</source>
      <translation>고해상도 인자</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="210" />
      <source>Coarse drivers</source>
      <translation>저해상도 인자</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="211" />
      <source>Coarse SSM</source>
      <translation>저해상도 표층 토양수분(SSM)</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="211" />
      <source>Coarse RZSM</source>
      <translation>저해상도 근권 토양수분(RZSM)</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="212" />
      <source>Static layers</source>
      <translation>정적 레이어</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="212" />
      <source>Stations</source>
      <translation>관측소</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="213" />
      <source>Held-out stations</source>
      <translation>검증용 관측소</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="213" />
      <source>Seed</source>
      <translation>시드</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="214" />
      <source>Output folder</source>
      <translation>출력 폴더</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="274" />
      <source>Give the coarse SSM, the coarse RZSM, or both</source>
      <translation>저해상도 SSM, RZSM 중 하나 이상을 지정하세요</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="279" />
      <source>Stations: choose a station GeoPackage (smfusion:importstations)</source>
      <translation>관측소: 관측소 GeoPackage를 선택하세요 (smfusion:importstations)</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="281" />
      <source>Output folder: choose one</source>
      <translation>출력 폴더: 폴더를 선택하세요</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="343" />
      <source>No driver to fuse yet</source>
      <translation>아직 융합할 인자가 없습니다</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="393" />
      <source>The pipeline was cancelled; the files already complete are kept, and Run resumes</source>
      <translation>파이프라인이 취소되었습니다. 완성된 파일은 유지되며, 실행하면 이어서 진행합니다</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="175" />
      <source>The check was cancelled</source>
      <translation>확인이 취소되었습니다</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="277" />
      <source>The fine and coarse folders share no driver sub-folder</source>
      <translation>고해상도와 저해상도 폴더에 공통 인자 하위 폴더가 없습니다</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="397" />
      <source>The pipeline stopped: {}</source>
      <translation>파이프라인이 중단되었습니다: {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="405" />
      <source>Pipeline done: {}</source>
      <translation>파이프라인 완료: {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="407" />
      <source>Pipeline done. No browser opened the report: open {}</source>
      <translation>파이프라인 완료. 브라우저가 보고서를 열지 못했습니다. 직접 여세요: {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="160" />
      <source>{}: {} pairs, {} … {}</source>
      <translation>{}: 영상 쌍 {}개, {} … {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="171" />
      <source>Problem: {}</source>
      <translation>문제: {}</translation>
    </message>
    <message>
      <location filename="../ui/pipeline_dialog.py" line="171" />
      <source>Note: {}</source>
      <translation>참고: {}</translation>
    </message>
    <message>
      <location filename="../ui/series_widget.py" line="34" />
      <source>Select a folder</source>
      <translation>폴더 선택</translation>
    </message>
    <message>
      <location filename="../ui/series_widget.py" line="66" />
      <source>Choose a folder</source>
      <translation>폴더를 선택하세요</translation>
    </message>
    <message>
      <location filename="../processing_provider/base.py" line="340" />
      <source>Cancelled by the user. The files already complete are kept; run again to resume.</source>
      <translation>사용자가 취소했습니다. 완성된 파일은 유지되며, 다시 실행하면 이어서 진행합니다.</translation>
    </message>
    <message>
      <location filename="../processing_provider/base.py" line="246" />
      <source>Parameters</source>
      <translation>매개변수</translation>
    </message>
    <message>
      <location filename="../processing_provider/base.py" line="251" />
      <source>Example</source>
      <translation>예시</translation>
    </message>
    <message>
      <location filename="../processing_provider/provider.py" line="30" />
      <source>Run the whole pipeline (graphical model)</source>
      <translation>전체 파이프라인 실행 (그래픽 모델)</translation>
    </message>
    <message>
      <location filename="../processing_provider/provider.py" line="58" />
      <source>SM Fusion: daily 1-km soil moisture (ESTARFM, LightGBM, CNN)</source>
      <translation>SM Fusion: 일별 1 km 토양수분 (ESTARFM, LightGBM, CNN)</translation>
    </message>
    <message>
      <source>Create demo region</source>
      <translation>데모 지역 만들기</translation>
    </message>
    <message>
      <source>Pipeline</source>
      <translation>파이프라인</translation>
    </message>
    <message>
      <source>Writes a synthetic demo region with known truth: every input of the SM Fusion tools.</source>
      <translation>참값을 아는 합성 데모 지역을 만듭니다: SM Fusion 도구의 모든 입력.</translation>
    </message>
    <message>
      <source>Writes a synthetic region with &lt;b&gt;known truth&lt;/b&gt;: a 1-km grid (EPSG:5179) over central Korea with terrain, soil texture and land cover; a daily two-layer water balance driven by rain storms gives the true surface (0–10 cm) and root-zone (10–100 cm) soil moisture, and the true NDVI, LST and albedo respond to it. From the truth it derives MODIS-like 1-km observations (noise, cloud gaps), GLASS-like 0.05° and GLEAM-like 0.25° products with a systematic bias, and point stations (truth + station bias + noise). Use it to try every tool and to measure their accuracy. The same parameters always give the same files.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Width (px of 1 km)</source>
      <translation>너비 (1 km 픽셀)</translation>
    </message>
    <message>
      <source>Fine grid width in 1-km pixels (default 200).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Height (px of 1 km)</source>
      <translation>높이 (1 km 픽셀)</translation>
    </message>
    <message>
      <source>Fine grid height in 1-km pixels (default 200).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Start date</source>
      <translation>시작 날짜</translation>
    </message>
    <message>
      <source>First date of the series (default 2021-04-01).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Days</source>
      <translation>일수</translation>
    </message>
    <message>
      <source>Number of days (default 183: one growing season).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Random seed</source>
      <translation>난수 시드</translation>
    </message>
    <message>
      <source>Random seed; the same seed gives the same files, byte for byte.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Number of ground stations (default 40).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Station noise (m³/m³)</source>
      <translation>관측소 잡음 (m³/m³)</translation>
    </message>
    <message>
      <source>Standard deviation of the daily point-scale noise of the stations, m³/m³.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Station bias spread (m³/m³)</source>
      <translation>관측소 편향 분산 (m³/m³)</translation>
    </message>
    <message>
      <source>Standard deviation of the per-station bias, m³/m³ (0 and 0 give stations that read the truth exactly).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Mean cloud cover</source>
      <translation>평균 운량</translation>
    </message>
    <message>
      <source>Mean cloud fraction of the MODIS-like observations (0–0.95).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Driver series (comma-separated)</source>
      <translation>인자 시계열 (쉼표로 구분)</translation>
    </message>
    <message>
      <source>The driver series to write, separated by commas: ndvi, lst_day and/or albedo, each under the name given (e.g. &lt;i&gt;LST,NDVI&lt;/i&gt; writes fine/LST/LST_YYYYMMDD.tif and no albedo), to try the pipeline with the drivers and names of another region.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Demo region folder</source>
      <translation>데모 지역 폴더</translation>
    </message>
    <message>
      <source>Folder to write into: fine/, coarse/, gleam/, resampled/, static/, stations/, truth/, grids/ and demo.json (existing sub-folders of these names are replaced).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Create a target grid</source>
      <translation>대상 격자 만들기</translation>
    </message>
    <message>
      <source>Writes a GeoTIFF template that defines a target grid (extent, CRS, pixel size).</source>
      <translation>대상 격자(범위, 좌표계, 픽셀 크기)를 정의하는 GeoTIFF 템플릿을 만듭니다.</translation>
    </message>
    <message>
      <source>Writes a GeoTIFF template (ones, uint8) that defines a grid: the EXTENT reprojected into CRS and snapped outward to multiples of PIXEL_SIZE. Use it as the TARGET of smfusion:harmonise, for example for the study area's 1-km grid (EPSG:5179, 1000 m), its 0.05° GLASS grid and its 0.25° GLEAM grid (EPSG:4326).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Extent</source>
      <translation>범위</translation>
    </message>
    <message>
      <source>The area to cover (any CRS; it is reprojected).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>CRS</source>
      <translation>좌표계</translation>
    </message>
    <message>
      <source>The grid's coordinate reference system.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Pixel size (CRS units)</source>
      <translation>픽셀 크기 (좌표계 단위)</translation>
    </message>
    <message>
      <source>Pixel size in the CRS's units (metres, or degrees for EPSG:4326).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Grid template</source>
      <translation>격자 템플릿</translation>
    </message>
    <message>
      <source>The template GeoTIFF.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Harmonise products onto a grid</source>
      <translation>산출물을 격자에 맞추기</translation>
    </message>
    <message>
      <source>Reads downloaded product files and writes a series of physical values on a target grid.</source>
      <translation>내려받은 산출물 파일을 읽어 대상 격자 위의 물리량 시계열로 씁니다.</translation>
    </message>
    <message>
      <source>Reads product files as they are downloaded, in physical units with fill values and bad-quality pixels as NoData, and writes a &lt;b&gt;series&lt;/b&gt; (&lt;code&gt;&amp;lt;VARIABLE&amp;gt;_YYYYMMDD.tif&lt;/code&gt;) on the TARGET grid. Products: MOD11A1/MYD11A1 LST (K), MOD13A2 NDVI/EVI, MCD43A3 albedo, MOD15A2H LAI/FPAR, GLASS (scale, offset and fill from each field), GLEAM v3/v4 (read by dimension name, one file per day), GLDAS Noah (kg/m² → m³/m³; rzsm = thickness-weighted 10–100 cm; 3-hourly → daily mean), and generic GeoTIFF/NetCDF. MODIS tiles of one date are mosaicked; composites keep the first day of their period. Values that contradict the units after scaling stop the run.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Product files or folder (paths separated by ;)</source>
      <translation>산출물 파일 또는 폴더 (경로는 ;로 구분)</translation>
    </message>
    <message>
      <source>Product files or folders (searched with their sub-folders), separated by ;.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Product</source>
      <translation>산출물</translation>
    </message>
    <message>
      <source>The product, or &lt;i&gt;auto&lt;/i&gt; (detected from the file names and NetCDF variables; the log says what was detected).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Variable</source>
      <translation>변수</translation>
    </message>
    <message>
      <source>The variable: lst_day/lst_night (MOD11A1), ndvi/evi (MOD13A2), albedo_wsa/albedo_bsa (MCD43A3), lai/fapar (MOD15A2H, GLASS), ssm/rzsm (GLEAM, GLDAS), or a NetCDF variable name (generic). Default: the product's first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Quality</source>
      <translation>품질</translation>
    </message>
    <message>
      <source>Quality: &lt;i&gt;good&lt;/i&gt;, &lt;i&gt;good+other&lt;/i&gt; (default), or &lt;i&gt;any&lt;/i&gt; (only fill values removed).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Target grid</source>
      <translation>대상 격자</translation>
    </message>
    <message>
      <source>A raster whose grid the series takes (e.g. a smfusion:grid template or a fine image).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Or: target extent</source>
      <translation>또는: 대상 범위</translation>
    </message>
    <message>
      <source>Instead of TARGET: the extent of the target grid (with TARGET_CRS and PIXEL_SIZE).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Target CRS</source>
      <translation>대상 좌표계</translation>
    </message>
    <message>
      <source>The CRS of the target grid given by extent.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Target pixel size (CRS units)</source>
      <translation>대상 픽셀 크기 (좌표계 단위)</translation>
    </message>
    <message>
      <source>The pixel size of the target grid given by extent, in TARGET_CRS units.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Resampling</source>
      <translation>리샘플링</translation>
    </message>
    <message>
      <source>&lt;i&gt;auto&lt;/i&gt;: average when the target is coarser than the source, bilinear when finer, nearest for classes.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Scale (generic)</source>
      <translation>배율 (일반 산출물)</translation>
    </message>
    <message>
      <source>Generic product only: multiply the values by this (default: the file's scale).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Offset (generic)</source>
      <translation>오프셋 (일반 산출물)</translation>
    </message>
    <message>
      <source>Generic product only: then add this (default: the file's offset).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Optional first date.</source>
      <translation>선택: 첫 날짜.</translation>
    </message>
    <message>
      <source>End date</source>
      <translation>종료 날짜</translation>
    </message>
    <message>
      <source>Optional last date.</source>
      <translation>선택: 마지막 날짜.</translation>
    </message>
    <message>
      <source>Series folder</source>
      <translation>시계열 폴더</translation>
    </message>
    <message>
      <source>Output series folder.</source>
      <translation>출력 시계열 폴더.</translation>
    </message>
    <message>
      <source>ESTARFM fusion (time series)</source>
      <translation>ESTARFM 융합 (시계열)</translation>
    </message>
    <message>
      <source>Fusion</source>
      <translation>융합</translation>
    </message>
    <message>
      <source>Fuses a fine, gappy series with a coarse, gap-free one into a daily gap-free fine series (ESTARFM).</source>
      <translation>결측이 있는 고해상도 시계열과 결측 없는 저해상도 시계열을 융합해 일별 결측 없는 고해상도 시계열을 만듭니다 (ESTARFM).</translation>
    </message>
    <message>
      <source>Fuses a fine but gappy series (e.g. MODIS 1-km NDVI with clouds) with a coarse, gap-free series (e.g. GLASS 0.05° NDVI) into a &lt;b&gt;daily, gap-free fine series&lt;/b&gt; with ESTARFM (Zhu et al. 2010, Remote Sensing of Environment 114:2610) or ubESTARFM. Pairs (dates with both images and at least MIN_PAIR_VALID of the fine pixels valid) are chosen automatically; each date is predicted from the nearest pair before and after it (one pair before the first and after the last pair, or where a pixel is missing in one pair). The similar-pixel search runs once per pair segment and is reused by every date in it. Pixels no pair covers stay NoData, and the log says how many. Output: one float32 GeoTIFF per date, &lt;code&gt;&amp;lt;VARIABLE&amp;gt;_YYYYMMDD.tif&lt;/code&gt;, on the fine grid.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine series folder</source>
      <translation>고해상도 시계열 폴더</translation>
    </message>
    <message>
      <source>Series folder of the fine images (one GeoTIFF per date, date in the file name, NoData where cloudy). All must lie on one grid, which is the output grid.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse series folder</source>
      <translation>저해상도 시계열 폴더</translation>
    </message>
    <message>
      <source>Series folder of the coarse images (any grid and CRS: resampled onto the fine grid).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Mode</source>
      <translation>모드</translation>
    </message>
    <message>
      <source>&lt;i&gt;all&lt;/i&gt;: predict every coarse date in START…END (the fine observation is kept on pair dates); &lt;i&gt;fill&lt;/i&gt;: keep every valid fine observation and predict only the gaps.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>First date to predict (default: the first coarse date).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Last date to predict (default: the last coarse date).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Least valid fraction of a pair</source>
      <translation>영상 쌍의 최소 유효 비율</translation>
    </message>
    <message>
      <source>Least fraction of valid fine pixels (of those ever observed) for a date to serve as a pair.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Window size (px, odd)</source>
      <translation>창 크기 (픽셀, 홀수)</translation>
    </message>
    <message>
      <source>Moving window in fine pixels (odd, ≥ 3; the half window w = (WINDOW − 1)/2 is also the tile halo). Default 25 px (25 km at 1 km); Zhu et al. used 51 px for 30-m Landsat.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Number of classes</source>
      <translation>클래스 수</translation>
    </message>
    <message>
      <source>Number of land-cover classes m: a window pixel is similar to the target when it differs by less than 2σ/m at both base dates.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>σ block size (px, 0 = whole image)</source>
      <translation>σ 블록 크기 (픽셀, 0 = 전체 영상)</translation>
    </message>
    <message>
      <source>σ of the similarity threshold per square block of this many pixels (as the reference codes do with their patches); 0 = over the whole image.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Conversion coefficient</source>
      <translation>변환 계수</translation>
    </message>
    <message>
      <source>Conversion coefficient V: &lt;i&gt;one&lt;/i&gt; (V = 1, default: on the demo region it beat the regression for NDVI, LST and albedo) or &lt;i&gt;regression&lt;/i&gt; (Zhu: the slope of fine on coarse over the similar pixels, kept where significant at 5 % and 0 &lt; V ≤ 5).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Method</source>
      <translation>방법</translation>
    </message>
    <message>
      <source>&lt;i&gt;estarfm&lt;/i&gt; (Zhu et al. 2010) or &lt;i&gt;ubestarfm&lt;/i&gt; (Yu et al.: removes a systematic fine–coarse bias, e.g. Landsat vs MODIS LST, before weighting).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Lowest valid value</source>
      <translation>최소 유효값</translation>
    </message>
    <message>
      <source>Optional lower bound of valid values (e.g. 250 K for LST, −1 for NDVI): a prediction outside (VALID_MIN, VALID_MAX) is replaced by the weighted mean of the similar pixels.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Highest valid value</source>
      <translation>최대 유효값</translation>
    </message>
    <message>
      <source>Optional upper bound of valid values (see VALID_MIN).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse resampling</source>
      <translation>저해상도 리샘플링</translation>
    </message>
    <message>
      <source>How the coarse images are resampled onto the fine grid when they lie on another grid.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Largest empty fraction of the output</source>
      <translation>출력의 최대 빈 비율</translation>
    </message>
    <message>
      <source>Largest fraction (0–1) of the pixels that the fine images observe that may stay empty. A coarse series that leaves more of the fine grid without a value (another region, say) stops the tool before any compute; a fused output emptier than this is refused (one date) or reported (series).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Output variable name</source>
      <translation>출력 변수 이름</translation>
    </message>
    <message>
      <source>Variable name of the output files (default: taken from the fine file names).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Scheduler (empty: this process; local:N; tcp://host:port)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Where the work runs. Empty: in this QGIS (or qgis_process) process. &lt;i&gt;local:N&lt;/i&gt;: a dask cluster of N worker processes on this computer, started for the run. &lt;i&gt;tcp://host:port&lt;/i&gt;: an existing dask cluster, whose workers can import the engine (README, “Scaling out”). The files are the same wherever the work runs.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fused series folder</source>
      <translation>융합 시계열 폴더</translation>
    </message>
    <message>
      <source>ESTARFM fusion (one date)</source>
      <translation>ESTARFM 융합 (단일 날짜)</translation>
    </message>
    <message>
      <source>Predicts one fine image from two fine–coarse pairs and the coarse image of the date (ESTARFM).</source>
      <translation>고해상도–저해상도 영상 쌍 두 개와 해당 날짜의 저해상도 영상으로 고해상도 영상 하나를 예측합니다 (ESTARFM).</translation>
    </message>
    <message>
      <source>The classic ESTARFM prediction (Zhu et al. 2010) of one fine image at the date of COARSE0 from two fine/coarse pairs, for modeler chains and for comparison with other implementations. It gives the same values as smfusion:estarfm on that date. Pixels that are missing in one pair get the single-pair prediction from the other. Multi-band rasters (all five with the same B ≥ 2 bands, e.g. reflectance stacks) use the spectral correlation of the fine and coarse vectors as R, and give B bands.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine image at t1</source>
      <translation>t1의 고해상도 영상</translation>
    </message>
    <message>
      <source>Fine image of the first base date t1 (its grid is the output grid).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse image at t1</source>
      <translation>t1의 저해상도 영상</translation>
    </message>
    <message>
      <source>Coarse image of t1 (any grid: resampled onto the fine grid).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine image at t2</source>
      <translation>t2의 고해상도 영상</translation>
    </message>
    <message>
      <source>Fine image of the second base date t2 (same grid as FINE1).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse image at t2</source>
      <translation>t2의 저해상도 영상</translation>
    </message>
    <message>
      <source>Coarse image of t2.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse image at the prediction date</source>
      <translation>예측 날짜의 저해상도 영상</translation>
    </message>
    <message>
      <source>Coarse image of the prediction date tp.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Predicted fine image</source>
      <translation>예측된 고해상도 영상</translation>
    </message>
    <message>
      <source>The predicted fine image at tp (float32 GeoTIFF, NoData NaN).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Downscale soil moisture (LightGBM)</source>
      <translation>토양수분 상세화 (LightGBM)</translation>
    </message>
    <message>
      <source>Downscaling</source>
      <translation>상세화</translation>
    </message>
    <message>
      <source>Downscales coarse soil moisture (e.g. GLEAM 0.25°) to daily 1 km with LightGBM and fine predictors.</source>
      <translation>저해상도 토양수분(예: GLEAM 0.25°)을 LightGBM과 고해상도 예측인자로 일별 1 km로 상세화합니다.</translation>
    </message>
    <message>
      <source>Downscales a coarse soil-moisture series (e.g. GLEAM 0.25° surface or root-zone SM, in m³/m³) to the 1-km grid of the predictors. A LightGBM model learns SM from the predictors &lt;b&gt;at the coarse scale&lt;/b&gt; (each predictor averaged over the valid 1-km pixels of every coarse cell, across CRSs), predicts at 1 km, and adds back the coarse residual. The log reports the model's cross-validated R² and RMSE at the coarse scale (spatially blocked folds) and the &lt;b&gt;skill of the fine detail&lt;/b&gt;, measured one scale up: a model trained on 2×2-cell blocks predicts the cells, and its within-block detail is compared with the real one. A relation learned between cells need not hold inside a cell; DETAIL scales the added detail toward the bilinear field (auto: the weight fitted in that experiment). Output: &lt;code&gt;&amp;lt;LAYER&amp;gt;_YYYYMMDD.tif&lt;/code&gt;, clipped to [0, porosity].</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse soil-moisture series</source>
      <translation>저해상도 토양수분 시계열</translation>
    </message>
    <message>
      <source>Series folder of the coarse soil moisture of one layer, m³/m³ (any grid and CRS).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Predictor folder</source>
      <translation>예측인자 폴더</translation>
    </message>
    <message>
      <source>Predictor folder: one series sub-folder per variable (e.g. the fused ndvi/, lst_day/, albedo/) and/or static/ with single GeoTIFFs (dem, slope, clay, sand, porosity…), all on the 1-km grid. Optional when STATIC and DRIVERS give the predictors.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Static layers folder</source>
      <translation>정적 레이어 폴더</translation>
    </message>
    <message>
      <source>Optional folder of static GeoTIFFs on the 1-km grid, when they are not PREDICTORS/static.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Driver series folders (separated by ;)</source>
      <translation>인자 시계열 폴더 (;로 구분)</translation>
    </message>
    <message>
      <source>Optional further driver series folders (e.g. smfusion:estarfm outputs), separated by ';'; each is named by its files' variable (ndvi_YYYYMMDD.tif → ndvi).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Layer</source>
      <translation>토양층</translation>
    </message>
    <message>
      <source>ssm (0–10 cm) or rzsm (10–100 cm): names the output files.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Training scheme</source>
      <translation>학습 방식</translation>
    </message>
    <message>
      <source>&lt;i&gt;pooled&lt;/i&gt;: one model over all training dates with day-of-year sine/cosine; &lt;i&gt;daily&lt;/i&gt;: a model per date; &lt;i&gt;window&lt;/i&gt;: a model per date trained on ±WINDOW_DAYS.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Window half width (days)</source>
      <translation>창 반폭 (일)</translation>
    </message>
    <message>
      <source>Half width of the training window of SCHEME=window, days.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Residual correction</source>
      <translation>잔차 보정</translation>
    </message>
    <message>
      <source>&lt;i&gt;bilinear&lt;/i&gt;: add the bilinearly interpolated coarse residual; &lt;i&gt;none&lt;/i&gt;; &lt;i&gt;conserving&lt;/i&gt;: then iterate so that every coarse cell's 1-km mean equals its coarse value (to 1e-4 m³/m³), with smooth corrections (no block edges).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Least valid cover of a cell</source>
      <translation>격자 칸의 최소 유효 피복률</translation>
    </message>
    <message>
      <source>Least fraction of a coarse cell under valid 1-km pixels for it to train the model.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Detail weight (number or auto)</source>
      <translation>세부 가중치 (숫자 또는 auto)</translation>
    </message>
    <message>
      <source>Weight of the detail the model adds to the bilinear field: a number (1 = all of it, 0 = the bilinear coarse field) or &lt;i&gt;auto&lt;/i&gt; (fitted one scale up).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Memory of the detail (days)</source>
      <translation>세부 성분의 기억 (일)</translation>
    </message>
    <message>
      <source>Days τ of the temporal memory (0–365; 0 = none). The detail (model − its bilinear coarse mean) written for a date is its exponentially weighted mean over the earlier dates (weight exp(−age/τ)), with the mean of the first τ days as a prior: the drivers' day-to-day noise leaves it, while the coarse product keeps the day's changes, such as the wetting after rain. Earlier dates are replayed, so a later START or a resumed run writes the same values. Default 180: the spatial pattern of soil moisture is stable in time (Vachaud et al. 1985).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>First training date</source>
      <translation>첫 학습 날짜</translation>
    </message>
    <message>
      <source>First training date (default: the first).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Last training date</source>
      <translation>마지막 학습 날짜</translation>
    </message>
    <message>
      <source>Last training date (default: the last).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>First date to predict</source>
      <translation>첫 예측 날짜</translation>
    </message>
    <message>
      <source>Last date to predict</source>
      <translation>마지막 예측 날짜</translation>
    </message>
    <message>
      <source>Last date to predict.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Boosting rounds (most)</source>
      <translation>부스팅 반복 수 (최대)</translation>
    </message>
    <message>
      <source>Most boosting rounds (early stopping on held-out coarse cells picks fewer).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Learning rate</source>
      <translation>학습률</translation>
    </message>
    <message>
      <source>LightGBM learning rate.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Leaves per tree</source>
      <translation>트리당 잎 수</translation>
    </message>
    <message>
      <source>LightGBM leaves per tree.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Threads (0 = all)</source>
      <translation>스레드 수 (0 = 전체)</translation>
    </message>
    <message>
      <source>Threads for training and prediction (0 = all cores).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Saved model to apply</source>
      <translation>적용할 저장된 모델</translation>
    </message>
    <message>
      <source>Optional: a saved model (.txt with its .json sidecar) to apply instead of training; its predictors must match.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Save the model to</source>
      <translation>모델 저장 위치</translation>
    </message>
    <message>
      <source>Optional: where to save the trained model (LightGBM text + JSON sidecar).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Where the work runs. Empty: in this QGIS (or qgis_process) process. &lt;i&gt;local:N&lt;/i&gt;: a dask cluster of N worker processes on this computer, started for the run. &lt;i&gt;tcp://host:port&lt;/i&gt;: an existing dask cluster, whose workers can import the engine (README, “Scaling out”). The files are the same wherever the work runs. The dates' 1-km predictions run there; the training, the memory and the writing stay in this process.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Downscaled series folder</source>
      <translation>상세화 시계열 폴더</translation>
    </message>
    <message>
      <source>Report</source>
      <translation>보고서</translation>
    </message>
    <message>
      <source>Optional HTML page: cross-validated scores, detail skill, feature importance, a residual map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>10th percentile series folder</source>
      <translation>10 백분위수 시계열 폴더</translation>
    </message>
    <message>
      <source>Optional folder for the 10th percentile per pixel and day (&lt;code&gt;&amp;lt;LAYER&amp;gt;_p10_YYYYMMDD.tif&lt;/code&gt;): the uncertainty of the 1-km detail, fitted one scale up (where the value lies if the coarse product is right; smfusion:calibrate's intervals add the product's error, from stations). Give P90 with it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>90th percentile series folder</source>
      <translation>90 백분위수 시계열 폴더</translation>
    </message>
    <message>
      <source>Optional folder for the 90th percentile (&lt;code&gt;&amp;lt;LAYER&amp;gt;_p90_YYYYMMDD.tif&lt;/code&gt;).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Import stations (ISMN or CSV)</source>
      <translation>관측소 가져오기 (ISMN 또는 CSV)</translation>
    </message>
    <message>
      <source>Reads ground stations (an ISMN download or a CSV) into the station GeoPackage.</source>
      <translation>지상 관측소(ISMN 내려받기 또는 CSV)를 읽어 관측소 GeoPackage로 씁니다.</translation>
    </message>
    <message>
      <source>Reads ground soil-moisture stations from an &lt;b&gt;ISMN&lt;/b&gt; download (the zip, or its unpacked folder; both the "header+values" and the CEOP "separate files" formats, any line ends) or from a &lt;b&gt;CSV&lt;/b&gt;, and writes the station GeoPackage that the evaluation and calibration tools use: a point layer &lt;i&gt;stations&lt;/i&gt; and a table &lt;i&gt;observations&lt;/i&gt; with daily means of the surface (0–10 cm, &lt;i&gt;ssm&lt;/i&gt;) and root-zone (10–100 cm, &lt;i&gt;rzsm&lt;/i&gt;) layers in m³/m³. Hourly values flagged outside FLAGS or outside [0, 1] are dropped; a day needs MIN_HOURS valid hours. Sensors at the same depth are averaged; each layer is the thickness-weighted mean of the sensors that overlap it (a sensor at one depth covers the interval halfway to its neighbours, clipped to the layer). The layer records which depths fed each layer, their weights, and the ISMN static variables (clay, sand, saturation, land cover). Station ids are the ISMN station names (the network is prefixed where two networks share a name).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>ISMN archive or CSV</source>
      <translation>ISMN 압축 파일 또는 CSV</translation>
    </message>
    <message>
      <source>An ISMN zip, one .stm file, or a CSV: daily &lt;code&gt;station_id,lon,lat,date,ssm[,rzsm]&lt;/code&gt; or hourly &lt;code&gt;station_id,lon,lat,time,depth_from,depth_to,sm&lt;/code&gt; (depths in m). Give INPUT or FOLDER.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Unpacked ISMN folder</source>
      <translation>압축을 푼 ISMN 폴더</translation>
    </message>
    <message>
      <source>An unpacked ISMN download (the folder of network folders), instead of INPUT.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Keep stations inside</source>
      <translation>이 범위 안의 관측소만 유지</translation>
    </message>
    <message>
      <source>Optional: keep only the stations inside this extent.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Optional first date to keep.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Optional last date to keep.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Accepted ISMN flags</source>
      <translation>허용할 ISMN 플래그</translation>
    </message>
    <message>
      <source>ISMN quality flags to accept, comma-separated (default G,U: good, and unchecked, which older archives give to nearly every value). C (out of range), D (dubious) and M (missing) are rejected unless listed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Least valid hours per day</source>
      <translation>하루 최소 유효 시간 수</translation>
    </message>
    <message>
      <source>Least number of valid hourly values for a daily mean.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Station GeoPackage</source>
      <translation>관측소 GeoPackage</translation>
    </message>
    <message>
      <source>The station GeoPackage to write.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Evaluate against stations</source>
      <translation>관측소로 평가</translation>
    </message>
    <message>
      <source>Evaluation</source>
      <translation>평가</translation>
    </message>
    <message>
      <source>Scores soil-moisture series at the stations: PCC, RMSE, ubRMSE and bias.</source>
      <translation>관측소에서 토양수분 시계열을 평가합니다: PCC, RMSE, ubRMSE, 편향.</translation>
    </message>
    <message>
      <source>Samples one or more soil-moisture series at the stations and scores them against the daily station values: PCC (Pearson r), RMSE, ubRMSE = √(RMSE² − bias²) and bias = mean(predicted − observed), with N, per station, pooled, and as the median over stations, per layer and per series. With SPLIT, held-out and training stations are scored separately and never pooled. Writes a metrics table and a self-contained HTML report: the metrics side by side with the seed paper's figures, density scatters, time series at the best, median and worst stations, a map of per-station PCC and a Taylor diagram.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Series (label|layer|folder; …)</source>
      <translation>시계열 (이름|토양층|폴더; …)</translation>
    </message>
    <message>
      <source>The series to score, separated by ; or new lines, each &lt;code&gt;label|layer|folder&lt;/code&gt; (layer ssm or rzsm), e.g. &lt;code&gt;GLEAM bilinear|ssm|demo/resampled/ssm; downscaled|ssm|out/downscaled/ssm&lt;/code&gt;. A bare folder takes its name as the label and the layer from its file names.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The station GeoPackage (smfusion:importstations) or a daily CSV (station_id,lon,lat,date,ssm,rzsm).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Sampling</source>
      <translation>표본 추출</translation>
    </message>
    <message>
      <source>How a series is read at a station: the &lt;i&gt;nearest&lt;/i&gt; pixel, &lt;i&gt;bilinear&lt;/i&gt; between the four nearest pixel centres, or the &lt;i&gt;mean&lt;/i&gt; of the K×K block.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Block size for mean sampling</source>
      <translation>평균 표본 추출 블록 크기</translation>
    </message>
    <message>
      <source>Block size of the &lt;i&gt;mean&lt;/i&gt; sampling (odd).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Held-out station ids (or a file)</source>
      <translation>검증용 관측소 ID (또는 파일)</translation>
    </message>
    <message>
      <source>Optional held-out station ids (comma-separated), or the path of a file that lists them.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Metrics table</source>
      <translation>지표 표</translation>
    </message>
    <message>
      <source>The metrics table: .csv, or .gpkg (a point layer &lt;i&gt;metrics&lt;/i&gt; at the stations).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The HTML report.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Calibration CNN: fine-tune on stations</source>
      <translation>보정 CNN: 관측소로 미세 조정</translation>
    </message>
    <message>
      <source>Calibration</source>
      <translation>보정</translation>
    </message>
    <message>
      <source>Fine-tunes the calibration CNN on your region's ground stations (transfer learning).</source>
      <translation>지역의 지상 관측소로 보정 CNN을 미세 조정합니다 (전이 학습).</translation>
    </message>
    <message>
      <source>Transfer learning of the calibration CNN on the ground stations of your region. A downscaled 1-km pixel is an area estimate and a station a point: the CNN learns the correction (station − pixel) from the pixel's neighbourhood of soil moisture and drivers. MODE &lt;i&gt;head&lt;/i&gt; (needs no PyTorch) runs the frozen backbone with ONNX Runtime at the training stations and refits the last layer by ridge regression, with its penalty chosen by leave-stations-out cross-validation; only the head's weights change in the written ONNX. Held-out stations (HOLDOUT) are never trained on; their ids, and the metrics before and after, are written into the model. Without a pretrained model for the layer, the head is refitted on an untrained backbone (the log says so).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Base model</source>
      <translation>기반 모델</translation>
    </message>
    <message>
      <source>The ONNX model to start from (default: the shipped model of LAYER).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Downscaled series</source>
      <translation>상세화 시계열</translation>
    </message>
    <message>
      <source>Series folder of the downscaled soil moisture of LAYER (smfusion:downscale's output).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>The coarse soil-moisture series of LAYER (for the model's sm_coarse plane).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine driver series before ESTARFM (for the intervals)</source>
      <translation>ESTARFM 이전의 고해상도 인자 시계열 (구간 추정용)</translation>
    </message>
    <message>
      <source>Optional: the fine driver series before ESTARFM (one gappy series sub-folder per variable, smfusion:estarfm's FINE). The p10/p90 interval then widens where ESTARFM filled a gap, by as much as the training stations show; without it, that covariate takes its training mean.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>ssm (0–10 cm) or rzsm (10–100 cm).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Station GeoPackage (smfusion:importstations) or daily CSV.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Held-out stations (ids or fraction)</source>
      <translation>검증용 관측소 (ID 또는 비율)</translation>
    </message>
    <message>
      <source>Held-out stations: comma-separated ids, or a fraction (default 0.25) drawn with SEED.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Seed of the hold-out draw.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>&lt;i&gt;head&lt;/i&gt; (refit the last layer, numpy only) or &lt;i&gt;full&lt;/i&gt; (fine-tune every layer; needs PyTorch).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Memory of the correction (days)</source>
      <translation>보정량의 기억 (일)</translation>
    </message>
    <message>
      <source>Days τ of the temporal memory (0–365; 0 = none). The correction written for a date is its exponentially weighted mean over the earlier dates (weight exp(−age/τ)), with the mean of the first τ days as a prior: the drivers' day-to-day noise leaves it, while the coarse product keeps the day's changes, such as the wetting after rain. Earlier dates are replayed, so a later START or a resumed run writes the same values. Default 180: the spatial pattern of soil moisture is stable in time (Vachaud et al. 1985). MODE head only: the head is fitted on the remembered features, and the model records τ for smfusion:calibrate.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine-tuned model</source>
      <translation>미세 조정된 모델</translation>
    </message>
    <message>
      <source>The fine-tuned model (.onnx).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Calibration CNN: apply</source>
      <translation>보정 CNN: 적용</translation>
    </message>
    <message>
      <source>Calibrates a downscaled series toward the stations with the CNN or a baseline, with p10/p90.</source>
      <translation>상세화 시계열을 CNN 또는 기준 방법으로 관측소에 맞게 보정하고 p10/p90을 씁니다.</translation>
    </message>
    <message>
      <source>Calibrates a downscaled soil-moisture series against the stations' point scale: &lt;i&gt;cnn&lt;/i&gt; adds the CNN's correction (ONNX Runtime, tile by tile with a halo of the receptive field; the CUDA provider when present and DEVICE allows it, and the log names the provider used), or the baselines &lt;i&gt;linear&lt;/i&gt; (mean and variance matched to the training stations) and &lt;i&gt;cdf&lt;/i&gt; (quantile mapping), fitted on the training stations (those not held out in the model), for comparison. Output: &lt;code&gt;&amp;lt;LAYER&amp;gt;_YYYYMMDD.tif&lt;/code&gt;, clipped to [0, porosity].</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Model</source>
      <translation>모델</translation>
    </message>
    <message>
      <source>The ONNX model (smfusion:calibratetrain's output; default: the shipped model of LAYER).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>&lt;i&gt;cnn&lt;/i&gt;, or a baseline fitted on the training stations: &lt;i&gt;bias&lt;/i&gt; (add the mean difference), &lt;i&gt;linear&lt;/i&gt; (match mean and variance) or &lt;i&gt;cdf&lt;/i&gt; (quantile mapping); &lt;i&gt;auto&lt;/i&gt;: the correction that smfusion:calibratetrain chose by cross-validation on the training stations and recorded in MODEL (needs STATIONS when it is a baseline).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Stations (for the baselines)</source>
      <translation>관측소 (기준 방법용)</translation>
    </message>
    <message>
      <source>Stations to fit the baselines on (METHOD bias, linear or cdf).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Device</source>
      <translation>장치</translation>
    </message>
    <message>
      <source>&lt;i&gt;auto&lt;/i&gt; (CUDA when available), &lt;i&gt;cpu&lt;/i&gt; or &lt;i&gt;cuda&lt;/i&gt; (says why when it cannot).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Where the work runs. Empty: in this QGIS (or qgis_process) process. &lt;i&gt;local:N&lt;/i&gt;: a dask cluster of N worker processes on this computer, started for the run. &lt;i&gt;tcp://host:port&lt;/i&gt;: an existing dask cluster, whose workers can import the engine (README, “Scaling out”). The files are the same wherever the work runs. The CNN runs there, one date per task; the memory and the writing stay in this process.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Calibrated series folder</source>
      <translation>보정 시계열 폴더</translation>
    </message>
    <message>
      <source>Optional folder for the 10th percentile of the calibrated value per pixel and day (&lt;code&gt;&amp;lt;LAYER&amp;gt;_p10_YYYYMMDD.tif&lt;/code&gt;; a MODEL from smfusion:calibratetrain, which records each METHOD's interval fitted on the training stations). Give P90 with it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Export a series as a NetCDF cube</source>
      <translation>시계열을 NetCDF 큐브로 내보내기</translation>
    </message>
    <message>
      <source>Outputs</source>
      <translation>출력</translation>
    </message>
    <message>
      <source>Writes a series folder as one CF-1.8 NetCDF cube, as GLEAM and ESA CCI deliver soil moisture.</source>
      <translation>시계열 폴더를 GLEAM과 ESA CCI처럼 하나의 CF-1.8 NetCDF 큐브로 씁니다.</translation>
    </message>
    <message>
      <source>Writes the GeoTIFF series of a folder (&lt;code&gt;&amp;lt;var&amp;gt;_YYYYMMDD.tif&lt;/code&gt;: calibrated, downscaled, p10/p90, fused drivers…) as one CF-1.8 NetCDF-4 file: the variable (time, y, x) in float32 with the GeoTIFFs' values, &lt;code&gt;time&lt;/code&gt; in days since 1970-01-01, x/y (lon/lat on a geographic grid) at the pixel centres, the CRS as the grid mapping, units, long_name and, for soil moisture, the CF standard name and the layer's depths; missing values are -9999 (_FillValue); DEFLATE compression. It opens in QGIS (one band per date), in GDAL's multidimensional API and in xarray.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Series folder (one GeoTIFF per date on one grid), e.g. the pipeline's calibrated/ssm.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>NetCDF file</source>
      <translation>NetCDF 파일</translation>
    </message>
    <message>
      <source>The NetCDF file (.nc). Nothing is written there unless the whole cube was.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Run the whole pipeline</source>
      <translation>전체 파이프라인 실행</translation>
    </message>
    <message>
      <source>Runs the whole method for SSM and RZSM: fusion, downscaling, calibration and evaluation.</source>
      <translation>SSM과 RZSM에 대해 전체 방법을 실행합니다: 융합, 상세화, 보정, 평가.</translation>
    </message>
    <message>
      <source>Runs the method for both layers: ESTARFM on every driver (fine + coarse series → fused/&amp;lt;var&amp;gt;), LightGBM downscaling of the coarse SSM and RZSM (downscaled/), transfer learning of the calibration CNN on the training stations (models/), calibration (calibrated/), and the evaluation of the bilinear coarse product, the downscaled and the calibrated series at the held-out stations (report.html, metrics.csv). run.json records the parameters, the versions, the time per stage and the metrics. A stage whose outputs are newer than its inputs is skipped (OVERWRITE re-runs it), so an interrupted run resumes where it stopped.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Fine driver series (folder of folders)</source>
      <translation>고해상도 인자 시계열 (폴더들의 폴더)</translation>
    </message>
    <message>
      <source>Folder of the fine driver series, one sub-folder per variable (e.g. fine/ndvi, fine/lst_day).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse driver series (folder of folders)</source>
      <translation>저해상도 인자 시계열 (폴더들의 폴더)</translation>
    </message>
    <message>
      <source>Folder of the coarse driver series with the same sub-folder names.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse SSM series</source>
      <translation>저해상도 SSM 시계열</translation>
    </message>
    <message>
      <source>Coarse surface soil-moisture series (e.g. GLEAM SMs), m³/m³.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Coarse RZSM series</source>
      <translation>저해상도 RZSM 시계열</translation>
    </message>
    <message>
      <source>Coarse root-zone soil-moisture series (e.g. GLEAM SMrz), m³/m³.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Folder of the static GeoTIFFs on the fine grid (dem, slope, clay, sand, porosity…).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Station GeoPackage (smfusion:importstations).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Held-out stations (fraction or ids)</source>
      <translation>검증용 관측소 (비율 또는 ID)</translation>
    </message>
    <message>
      <source>Held-out stations: a fraction (default 0.25, drawn with SEED) or comma-separated ids.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Memory of the detail and the correction (days)</source>
      <translation>세부 성분과 보정량의 기억 (일)</translation>
    </message>
    <message>
      <source>Days τ of the temporal memory (0–365; 0 = none). The downscaled detail, and the calibration's correction, written for a date is its exponentially weighted mean over the earlier dates (weight exp(−age/τ)), with the mean of the first τ days as a prior: the drivers' day-to-day noise leaves it, while the coarse product keeps the day's changes, such as the wetting after rain. Earlier dates are replayed, so a later START or a resumed run writes the same values. Default 180: the spatial pattern of soil moisture is stable in time (Vachaud et al. 1985).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Reference series to score alongside (folder of ssm/, rzsm/)</source>
      <translation>함께 평가할 기준 시계열 (ssm/, rzsm/ 폴더)</translation>
    </message>
    <message>
      <source>Optional folder with ssm/ and rzsm/ reference series on the fine grid (e.g. the demo's truth/), scored at the same stations as the row &lt;i&gt;truth&lt;/i&gt;: the floor that station noise and bias leave.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Re-run every stage</source>
      <translation>모든 단계 다시 실행</translation>
    </message>
    <message>
      <source>Re-run every stage even when its outputs are up to date.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Also write the calibrated series as NetCDF cubes</source>
      <translation>보정 시계열을 NetCDF 큐브로도 쓰기</translation>
    </message>
    <message>
      <source>Also write each calibrated layer as one CF-1.8 NetCDF cube, calibrated/&amp;lt;layer&amp;gt;.nc (smfusion:export), the format of GLEAM and ESA CCI.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Where the work runs. Empty: in this QGIS (or qgis_process) process. &lt;i&gt;local:N&lt;/i&gt;: a dask cluster of N worker processes on this computer, started for the run. &lt;i&gt;tcp://host:port&lt;/i&gt;: an existing dask cluster, whose workers can import the engine (README, “Scaling out”). The files are the same wherever the work runs. ESTARFM's pair segments, the downscaled dates' 1-km predictions and the CNN's dates run there; the training, the memories and the writing stay in this process.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Output folder: fused/, bilinear/, downscaled/, models/, calibrated/ (with p10/p90, and the NetCDF cubes with NETCDF), report.html, metrics.csv, metrics.gpkg, run.json.</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
